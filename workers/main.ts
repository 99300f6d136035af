import { ConfigError, loadConfig } from '../src/config.js';
import { loadEnvFile } from '../src/lib/env-file.js';
import { connect, disconnect, StartupError } from '../src/runtime.js';
import { serveWorkerHttp } from './http.js';
import { startWorkerRole } from './run.js';

// Worker entry: .env → loadConfig → connect (checks PostgreSQL and Redis, then patient Redis) →
// the HTTP server for /metrics, /healthz and /readyz → the processors named in WORKERS → stop.

async function main(): Promise<void> {
  const envFile = loadEnvFile();
  const config = loadConfig();
  const deps = await connect(config, 'worker');
  if (config.workerMetricsPort > 0) {
    const http = serveWorkerHttp(deps, config.workerMetricsPort);
    await new Promise<void>((resolve, reject) => {
      http.once('listening', resolve);
      http.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          new StartupError(
            err.code === 'EADDRINUSE'
              ? `port ${config.workerMetricsPort} is already in use (WORKER_METRICS_PORT=${config.workerMetricsPort}); set another port, or 0 to turn the worker's HTTP server off`
              : `cannot listen on WORKER_METRICS_PORT=${config.workerMetricsPort}: ${err.message}`,
          ),
        ),
      );
    }).catch(async (err: unknown) => {
      await disconnect(deps);
      throw err;
    });
    stopHooks.push(() => http.close());
  }
  const role = await startWorkerRole(deps);
  deps.log.info(
    { workers: config.workers, envFile },
    `tikops workers running (${config.workers === 'all' ? 'all queues' : config.workers.join(', ')})` +
      (config.workerMetricsPort > 0 ? `; /metrics, /healthz and /readyz on port ${config.workerMetricsPort}` : '') +
      (envFile ? ` (settings from ${envFile})` : ''),
  );

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    deps.log.info({ signal }, 'workers stopping');
    setTimeout(() => process.exit(1), config.shutdownTimeoutMs).unref();
    for (const hook of stopHooks) hook();
    void role
      .close()
      .then(() => disconnect(deps))
      .then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

const stopHooks: (() => void)[] = [];

main().catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(`tikops: ${err.message}`);
  else if (err instanceof StartupError) console.error(err.message.replace(/^/gm, 'tikops: '));
  else console.error(err);
  process.exit(1);
});
