import { createServer } from 'node:http';
import { buildHandler } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { loadEnvFile } from './lib/env-file.js';
import { connect, disconnect, StartupError } from './runtime.js';

// API entry: .env → loadConfig → connect (checks PostgreSQL and Redis) → buildHandler → listen →
// graceful stop. A start-up failure is one line naming the setting, and a non-zero exit.

async function main(): Promise<void> {
  const envFile = loadEnvFile();
  const config = loadConfig();
  const deps = await connect(config, 'api');
  const server = createServer(buildHandler(deps));
  // RouterOS fetch keeps connections briefly; keep-alive above typical LB idle timeouts.
  server.keepAliveTimeout = 65_000;
  server.on('error', (err: NodeJS.ErrnoException) => {
    const where = `${config.host}:${config.port}`;
    if (err.code === 'EADDRINUSE') console.error(`tikops: port ${config.port} is already in use (PORT=${config.port}, HOST=${config.host}): another process listens on ${where}`);
    else if (err.code === 'EACCES') console.error(`tikops: not allowed to listen on ${where} (PORT=${config.port})`);
    else console.error(`tikops: cannot listen on ${where}: ${err.message}`);
    void disconnect(deps).finally(() => process.exit(1));
  });
  server.listen(config.port, config.host, () => {
    const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
    const local = `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
    deps.log.info(
      { url: local, publicUrl: config.publicUrl, envFile },
      `tikops API listening on ${local} — dashboard ${config.publicUrl}/ui, API reference ${config.publicUrl}/docs` +
        (envFile ? ` (settings from ${envFile})` : ''),
    );
  });

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    deps.log.info({ signal }, 'api stopping');
    setTimeout(() => process.exit(1), config.shutdownTimeoutMs).unref();
    // Open event streams would hold server.close() until the hard exit: end them first (browsers reconnect elsewhere).
    void deps.events.close();
    server.close(() => {
      void disconnect(deps).then(() => process.exit(0));
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(`tikops: ${err.message}`);
  else if (err instanceof StartupError) console.error(err.message.replace(/^/gm, 'tikops: '));
  else console.error(err);
  process.exit(1);
});
