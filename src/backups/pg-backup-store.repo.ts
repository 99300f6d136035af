import type { Db } from '../db/prisma.js';
import { sql, type SqlClient } from '../db/sql.js';
import type { BackupStore } from './backup-store.js';

// BackupStore over the `backup` table. Content is stored as bytes (bytea): what the caller hands
// in (src/backups/backup-store.ts encrypts it first) comes back byte for byte.

const META = { path: true, siteId: true, jobId: true, size: true, sha256: true, configSha256: true, createdAt: true, checkedAt: true } as const;

export function createPgBackupStore(db: Db, bulk: SqlClient): BackupStore {
  return {
    async put(path, content, meta) {
      const { count } = await db.backup.createMany({
        data: [{ path, siteId: meta.siteId, jobId: meta.jobId, size: meta.size, sha256: meta.sha256, configSha256: meta.configSha256,
          content: new Uint8Array(content), createdAt: meta.createdAt, checkedAt: meta.checkedAt }],
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

    latest(siteId) {
      return db.backup.findFirst({ where: { siteId }, select: META, orderBy: [{ createdAt: 'desc' }, { path: 'desc' }] });
    },

    async markChecked(path, at) {
      return (await db.backup.updateMany({ where: { path }, data: { checkedAt: at } })).count > 0;
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
          SELECT path FROM backup WHERE checked_at < ${before}::timestamptz ORDER BY checked_at LIMIT ${limit})
        RETURNING path`);
      return rows.length;
    },
  };
}
