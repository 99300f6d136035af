import { ConfigError, loadConfig } from '../src/config.js';
import { ensureDatabase, migrate } from '../src/db/migrate.js';
import { createPool, createSqlClient } from '../src/db/sql.js';
import { runKeysCli, type KeyDeps } from '../src/keys/keys.cli.js';
import { systemClock } from '../src/lib/clock.js';
import { loadEnvFile } from '../src/lib/env-file.js';

// `npm run tikops -- <area> <command> …` (node dist/scripts/tikops.js in a built image): the operator CLI.

const HELP = `Usage: npm run tikops -- <area> <command> [options]

Areas:
  keys    API keys: create (prints the first key of an organisation), list, revoke

Run "npm run tikops -- keys --help" for the options.`;

const io = { out: (l: string) => console.log(l), err: (l: string) => console.error(l) };

async function keyDeps(): Promise<KeyDeps & { close(): Promise<void> }> {
  loadEnvFile(); // the settings npm start uses: .env (if present) under the environment
  const config = loadConfig();
  await ensureDatabase(config.databaseUrl);
  await migrate(config.databaseUrl);
  const pool = createPool(config);
  return { config, sql: createSqlClient(pool), clock: systemClock, close: () => pool.end() };
}

const [area, ...rest] = process.argv.slice(2);
let code: number;
try {
  if (area === 'keys') code = await runKeysCli(rest, keyDeps, io);
  else {
    io[area === undefined || area === '--help' || area === '-h' ? 'out' : 'err'](HELP);
    code = area === '--help' || area === '-h' ? 0 : 2;
  }
} catch (err) {
  io.err(err instanceof ConfigError ? err.message : String(err));
  code = 1;
}
process.exit(code);
