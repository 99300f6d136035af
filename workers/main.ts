import { ConfigError, loadConfig } from '../src/config.js';
import { connect, disconnect } from '../src/runtime.js';
import { serveMetrics } from '../src/metrics/metrics.service.js';
import { startWorkerRole } from './run.js';

// Worker entry: loadConfig → connect (patient Redis) → start the processors named in WORKERS → stop.

async function main(): Promise<void> {
  const config = loadConfig();
  const deps = await connect(config, 'worker');
  const role = await startWorkerRole(deps);
  const metrics = config.workerMetricsPort > 0 ? serveMetrics(deps, config.workerMetricsPort) : null;
  deps.log.info({ workers: config.workers }, 'workers running');

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    deps.log.info({ signal }, 'workers stopping');
    setTimeout(() => process.exit(1), config.shutdownTimeoutMs).unref();
    metrics?.close();
    void role
      .close()
      .then(() => disconnect(deps))
      .then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
