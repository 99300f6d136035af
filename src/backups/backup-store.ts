import type { Keyset } from '../lib/cursor.js';
import type { Deps } from '../runtime.js';
import { backupKeys, openBackup, sealBackup, type BackupKey } from './backup-crypto.js';
import { createPgBackupStore } from './pg-backup-store.repo.js';

// Where finished backups live. Paths are `<siteId>/<unix-seconds>.rsc` and are never overwritten,
// so an object store (If-None-Match: * on put, a `<siteId>/` prefix listing, a lifecycle rule or a
// listing for pruning) can replace the PostgreSQL implementation behind this interface.

export interface BackupMeta {
  path: string;
  siteId: string;
  /** The job whose backup step uploaded it; null once that job is gone. */
  jobId: string | null;
  size: number;
  /** Hex SHA-256 of the content. */
  sha256: string;
  /** Hex SHA-256 of the configuration (src/backups/config-text.ts); null for backups stored before it was recorded. */
  configSha256: string | null;
  createdAt: Date;
  /** The last time a backup found this configuration; retention counts from it. */
  checkedAt: Date;
}

export interface BackupStore {
  /** Stores `content` at `path` unless the path is taken; false if it is (nothing is overwritten). */
  put(path: string, content: Buffer, meta: Omit<BackupMeta, 'path'>): Promise<boolean>;
  /** The backup at `path`, or null. */
  get(path: string): Promise<{ meta: BackupMeta; content: Buffer } | null>;
  /** The site's newest backup's metadata, or null. */
  latest(siteId: string): Promise<BackupMeta | null>;
  /** Records that a backup at `at` found the configuration at `path` unchanged; false if it is gone. */
  markChecked(path: string, at: Date): Promise<boolean>;
  /** Up to `limit` of the site's backups, newest first (by creation, then path), after `after`. */
  list(siteId: string, limit: number, after: Keyset | null): Promise<BackupMeta[]>;
  /** Removes the backup at `path`; false if there was none. */
  delete(path: string): Promise<boolean>;
  /** Removes up to `limit` backups last checked before `before`; returns how many. */
  deleteOlderThan(before: Date, limit: number): Promise<number>;
}

/** `store` with every content encrypted at rest under `keys` (src/backups/backup-crypto.ts); sizes stay the plain ones. */
function encrypted(store: BackupStore, keys: readonly BackupKey[]): BackupStore {
  return {
    ...store,
    put: (path, content, meta) => store.put(path, sealBackup(keys, path, content), { ...meta, size: content.length }),
    async get(path) {
      const found = await store.get(path);
      return found && { meta: found.meta, content: openBackup(keys, path, found.content) };
    },
  };
}

/** The deployment's backup store (PostgreSQL today; the one place to switch implementations). */
export function backupStore(deps: Pick<Deps, 'db' | 'sql' | 'config'>): BackupStore {
  return encrypted(createPgBackupStore(deps.db, deps.sql), backupKeys(deps.config));
}
