import { ConfigError, loadConfig } from '../src/config.js';
import { ensureDatabase, migrate } from '../src/db/migrate.js';

// `npm run db:migrate`: create the database if missing, then apply pending migrations.

try {
  const config = loadConfig();
  await ensureDatabase(config.databaseUrl);
  const applied = await migrate(config.databaseUrl);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}
