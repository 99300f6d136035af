import type { Keyset } from '../lib/cursor.js';
import type { Deps } from '../runtime.js';
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
  createdAt: Date;
}

export interface BackupStore {
  /** Stores `content` at `path` unless the path is taken; false if it is (nothing is overwritten). */
  put(path: string, content: Buffer, meta: Omit<BackupMeta, 'path' | 'size'>): Promise<boolean>;
  /** The backup at `path`, or null. */
  get(path: string): Promise<{ meta: BackupMeta; content: Buffer } | null>;
  /** Up to `limit` of the site's backups, newest first (by creation, then path), after `after`. */
  list(siteId: string, limit: number, after: Keyset | null): Promise<BackupMeta[]>;
  /** Removes the backup at `path`; false if there was none. */
  delete(path: string): Promise<boolean>;
  /** Removes up to `limit` backups created before `before`; returns how many. */
  deleteOlderThan(before: Date, limit: number): Promise<number>;
}

/** The deployment's backup store (PostgreSQL today; the one place to switch implementations). */
export function backupStore(deps: Pick<Deps, 'db' | 'sql'>): BackupStore {
  return createPgBackupStore(deps.db, deps.sql);
}
