import type { Db } from '../db/prisma.js';
import { Prisma } from '../generated/prisma/client.js';
import type { BackupMeta, BackupStore } from './backup-store.js';

// BackupStore over the `backup` table. Content is stored as bytes (bytea): /tool fetch parts are
// cut at byte offsets, and the router's export is returned exactly as it was uploaded.

const META = Prisma.raw(`path, site_id AS "siteId", job_id AS "jobId", size, sha256, created_at AS "createdAt"`);

export function createPgBackupStore(db: Db): BackupStore {
  return {
    async put(path, content, meta) {
      const rows = await db.$queryRaw<{ path: string }[]>`
        INSERT INTO backup (path, site_id, job_id, size, sha256, content, created_at)
        VALUES (${path}, ${meta.siteId}::uuid, ${meta.jobId}::uuid, ${content.length}, ${meta.sha256},
                ${content}, ${meta.createdAt}::timestamptz)
        ON CONFLICT (path) DO NOTHING
        RETURNING path`;
      return rows.length > 0;
    },

    async get(path) {
      const rows = await db.$queryRaw<(BackupMeta & { content: Uint8Array })[]>`
        SELECT ${META}, content FROM backup WHERE path = ${path}`;
      const row = rows[0];
      if (!row) return null;
      const { content, ...meta } = row;
      return { meta, content: Buffer.from(content) };
    },

    list(siteId, limit) {
      return db.$queryRaw<BackupMeta[]>`
        SELECT ${META} FROM backup WHERE site_id = ${siteId}::uuid ORDER BY created_at DESC, path DESC LIMIT ${limit}`;
    },

    async delete(path) {
      return (await db.$executeRaw`DELETE FROM backup WHERE path = ${path}`) > 0;
    },

    deleteOlderThan(before, limit) {
      return db.$executeRaw`
        DELETE FROM backup WHERE path IN (
          SELECT path FROM backup WHERE created_at < ${before}::timestamptz ORDER BY created_at LIMIT ${limit})`;
    },
  };
}
