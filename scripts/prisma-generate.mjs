// Runs `prisma generate`. Prisma 7's CLI downloads its native schema engine before every command,
// although `generate` never uses it; on machines without access to Prisma's binary host that
// download fails, so point PRISMA_SCHEMA_ENGINE_BINARY at an existing file unless one is set.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const env = { ...process.env };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = existsSync('/bin/false') ? '/bin/false' : process.execPath;
}
let cli;
try {
  cli = createRequire(import.meta.url).resolve('prisma/build/index.js');
} catch {
  // The Prisma CLI is a dev dependency: an install without dev dependencies (`npm ci --omit=dev`)
  // keeps the client generated before, and has nothing to generate it with.
  if (existsSync('src/generated/prisma/client.ts') || existsSync('dist/src/generated/prisma/client.js')) process.exit(0);
  console.error('prisma-generate: the Prisma CLI (a dev dependency) is not installed and there is no generated client');
  process.exit(1);
}
const res = spawnSync(process.execPath, [cli, 'generate'], { stdio: 'inherit', env });
process.exit(res.status ?? 1);
