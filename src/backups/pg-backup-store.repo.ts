import type { Db } from '../db/prisma.js';
import { sql, type SqlClient } from '../db/sql.js';
import type { BackupStore } from './backup-store.js';

// BackupStore over the `backup` table. Content is stored as bytes (bytea): /tool fetch parts are
// cut at byte offsets, and the router's export is returned exactly as it was uploaded.

const META = { path: true, siteId: true, jobId: true, size: true, sha256: true, createdAt: true } as const;

export function createPgBackupStore(db: Db, bulk: SqlClient): BackupStore {
  return {
    async put(path, content, meta) {
      const { count } = await db.backup.createMany({
        data: [{ path, siteId: meta.siteId, jobId: meta.jobId, size: content.length, sha256: meta.sha256, content: new Uint8Array(content), createdAt: meta.createdAt }],
        skipDuplicates: true,
      });
      return count > 0;
    },

    async get(path) {
      const row = await db.backup.findUnique({ where: { path }, select: { ...META, content: true } });
      if (!row) return null;
      const { content, ...meta } = row;
      return { meta, content: Buffer.from(content) };
    },

    list(siteId, limit, after) {
      const from = after === null ? {} : { OR: [{ createdAt: { lt: after.at } }, { createdAt: after.at, path: { lt: after.key } }] };
      return db.backup.findMany({ where: { siteId, ...from }, select: META, orderBy: [{ createdAt: 'desc' }, { path: 'desc' }], take: limit });
    },

    async delete(path) {
      return (await db.backup.deleteMany({ where: { path } })).count > 0;
    },

    async deleteOlderThan(before, limit) {
      const rows = await bulk.rows<{ path: string }>(sql`
        DELETE FROM backup WHERE path IN (
          SELECT path FROM backup WHERE created_at < ${before}::timestamptz ORDER BY created_at LIMIT ${limit})
        RETURNING path`);
      return rows.length;
    },
  };
}
