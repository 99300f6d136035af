import type { Db, DbTx } from '../db/prisma.js';

// site_management rows: a site's management endpoint for express execute.

export interface ManagementRow {
  siteId: string;
  address: string;
  port: number;
  useTls: boolean;
  verifyTls: boolean;
  caPem: string | null;
  username: string;
  passwordEnc: Uint8Array;
  pollScriptName: string;
  createdAt: Date;
  updatedAt: Date;
}

export type NewManagement = Omit<ManagementRow, 'createdAt' | 'updatedAt'>;

/** Creates or replaces the site's endpoint (created_at survives a replacement). */
export function upsert(db: DbTx, m: NewManagement, now: Date): Promise<ManagementRow> {
  const { siteId, ...fields } = m;
  const data = { ...fields, passwordEnc: new Uint8Array(m.passwordEnc), updatedAt: now };
  return db.siteManagement.upsert({ where: { siteId }, create: { siteId, ...data, createdAt: now }, update: data });
}

export function findBySite(db: Db, siteId: string): Promise<ManagementRow | null> {
  return db.siteManagement.findUnique({ where: { siteId } });
}

/** True if the site had an endpoint. */
export async function remove(db: DbTx, siteId: string): Promise<boolean> {
  return (await db.siteManagement.deleteMany({ where: { siteId } })).count > 0;
}
