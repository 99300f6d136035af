import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The path of `relative` in the nearest ancestor of `fromUrl`'s directory that contains it, so
 * repository files (prisma/migrations, docs/) are found both from src/ and from dist/src/.
 */
export function findUp(fromUrl: string, relative: string): string {
  let dir = dirname(fileURLToPath(fromUrl));
  for (;;) {
    const candidate = join(dir, relative);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`${relative} not found above ${fromUrl}`);
    dir = parent;
  }
}
