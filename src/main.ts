import { createServer } from 'node:http';
import { buildHandler } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { connect, disconnect } from './runtime.js';

// API entry: loadConfig → connect → buildHandler → listen → graceful stop.

async function main(): Promise<void> {
  const config = loadConfig();
  const deps = await connect(config, 'api');
  const server = createServer(buildHandler(deps));
  // RouterOS fetch keeps connections briefly; keep-alive above typical LB idle timeouts.
  server.keepAliveTimeout = 65_000;
  server.listen(config.port, config.host, () => deps.log.info({ port: config.port }, 'api listening'));

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    deps.log.info({ signal }, 'api stopping');
    setTimeout(() => process.exit(1), config.shutdownTimeoutMs).unref();
    server.close(() => {
      void disconnect(deps).then(() => process.exit(0));
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(err.message);
  else console.error(err);
  process.exit(1);
});
