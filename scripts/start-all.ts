import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from '../src/config.js';
import { ensureDatabase, migrate } from '../src/db/migrate.js';
import { reasonOf, redactUrl } from '../src/db/reach.js';
import { loadEnvFile } from '../src/lib/env-file.js';

// `npm start` for one machine: migrate, then run the API and a worker as two processes, the same
// topology as production (where each runs in its own container), forwarding signals to both.
// Settings come from the environment, and from `.env` in the working directory if there is one
// (the environment wins); both roles inherit them.

const here = dirname(fileURLToPath(import.meta.url));
const roles: Record<string, string> = {
  api: join(here, '..', 'src', 'main.js'),
  worker: join(here, '..', 'workers', 'main.js'),
};

const envFile = loadEnvFile();
console.log(envFile ? `tikops: settings from ${envFile} and the environment` : 'tikops: no .env here; settings from the environment and the defaults (.env.example lists them)');
let databaseUrl = '';
try {
  const config = loadConfig();
  databaseUrl = config.databaseUrl;
  await ensureDatabase(config.databaseUrl);
  const applied = await migrate(config.databaseUrl);
  if (applied.length) console.log(`migrations applied: ${applied.join(', ')}`);
} catch (err) {
  if (err instanceof ConfigError) console.error(`tikops: ${err.message}`);
  else console.error(`tikops: cannot reach PostgreSQL at DATABASE_URL=${redactUrl(databaseUrl)}: ${reasonOf(err)}`);
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
