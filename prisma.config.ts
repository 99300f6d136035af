import { defineConfig } from 'prisma/config';

// The CLI only needs the URL for `migrate status`/`deploy` on machines that have the schema engine;
// tikops applies migrations itself (src/db/migrate.ts), so this mirrors the app's default.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/tikops' },
});
