import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Loads `.env` from the working directory into process.env if there is one (process.loadEnvFile,
 * Node ≥ 20.12); variables already set in the environment win. Returns the file's path, or null.
 */
export function loadEnvFile(file = '.env'): string | null {
  const path = resolve(file);
  if (!existsSync(path)) return null;
  process.loadEnvFile(path);
  return path;
}
