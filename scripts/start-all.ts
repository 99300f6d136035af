import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from '../src/config.js';
import { ensureDatabase, migrate } from '../src/db/migrate.js';

// `npm start` for one machine: migrate, then run the API and a worker as two processes, the same
// topology as production (where each runs in its own container), forwarding signals to both.

const here = dirname(fileURLToPath(import.meta.url));
const roles: Record<string, string> = {
  api: join(here, '..', 'src', 'main.js'),
  worker: join(here, '..', 'workers', 'main.js'),
};

try {
  const config = loadConfig();
  await ensureDatabase(config.databaseUrl);
  const applied = await migrate(config.databaseUrl);
  if (applied.length) console.log(`migrations applied: ${applied.join(', ')}`);
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}

const children: ChildProcess[] = Object.values(roles).map((entry) =>
  spawn(process.execPath, [entry], { stdio: 'inherit' }),
);
let exiting = false;
for (const child of children) {
  child.on('exit', (code) => {
    if (exiting) return;
    // One role dying takes the other down, so a supervisor restarts the pair.
    exiting = true;
    for (const other of children) if (other !== child) other.kill('SIGTERM');
    process.exitCode = code ?? 1;
  });
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    exiting = true;
    for (const child of children) child.kill(signal);
  });
}
