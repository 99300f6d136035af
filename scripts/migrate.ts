import { ConfigError, loadConfig } from '../src/config.js';
import { ensureDatabase, migrate } from '../src/db/migrate.js';
import { reasonOf, redactUrl } from '../src/db/reach.js';
import { loadEnvFile } from '../src/lib/env-file.js';

// `npm run db:migrate`: create the database if missing, then apply pending migrations.

const envFile = loadEnvFile();
if (envFile) console.log(`tikops: settings from ${envFile}`);
let databaseUrl = '';
try {
  const config = loadConfig();
  databaseUrl = config.databaseUrl;
  await ensureDatabase(config.databaseUrl);
  const applied = await migrate(config.databaseUrl);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
} catch (err) {
  if (err instanceof ConfigError) console.error(`tikops: ${err.message}`);
  else console.error(`tikops: cannot migrate PostgreSQL at DATABASE_URL=${redactUrl(databaseUrl)}: ${reasonOf(err)}`);
  process.exit(1);
}
