// tsc emits only JavaScript; files the code reads at run time are copied beside it: the Lua
// scripts the Redis layer loads, and Redoc's standalone bundle for GET /docs (src/http/docs.routes.ts;
// redoc is a dev dependency, so the production image carries only this bundle and its licence notes).
import { cpSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

cpSync('src/redis/scripts', 'dist/src/redis/scripts', { recursive: true });
const redoc = createRequire(import.meta.url).resolve('redoc/bundles/redoc.standalone.js');
mkdirSync('dist/src/http/assets', { recursive: true });
for (const file of ['redoc.standalone.js', 'redoc.standalone.js.LICENSE.txt']) {
  cpSync(join(dirname(redoc), file), join('dist/src/http/assets', file));
}
