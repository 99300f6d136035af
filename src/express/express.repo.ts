import { Prisma } from '../generated/prisma/client.js';
import type { Db } from '../db/prisma.js';

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

const COLS = Prisma.raw(`site_id AS "siteId", address, port, use_tls AS "useTls", verify_tls AS "verifyTls", ca_pem AS "caPem",
  username, password_enc AS "passwordEnc", poll_script_name AS "pollScriptName", created_at AS "createdAt",
  updated_at AS "updatedAt"`);

/** Creates or replaces the site's endpoint (created_at survives a replacement). */
export async function upsert(db: Db, m: NewManagement, now: Date): Promise<ManagementRow> {
  const rows = await db.$queryRaw<ManagementRow[]>`
    INSERT INTO site_management (site_id, address, port, use_tls, verify_tls, ca_pem, username, password_enc,
                                 poll_script_name, created_at, updated_at)
    VALUES (${m.siteId}::uuid, ${m.address}, ${m.port}, ${m.useTls}, ${m.verifyTls}, ${m.caPem}, ${m.username},
            ${m.passwordEnc}, ${m.pollScriptName}, ${now}::timestamptz, ${now}::timestamptz)
    ON CONFLICT (site_id) DO UPDATE SET address = EXCLUDED.address, port = EXCLUDED.port, use_tls = EXCLUDED.use_tls,
      verify_tls = EXCLUDED.verify_tls, ca_pem = EXCLUDED.ca_pem, username = EXCLUDED.username,
      password_enc = EXCLUDED.password_enc, poll_script_name = EXCLUDED.poll_script_name,
      updated_at = EXCLUDED.updated_at
    RETURNING ${COLS}`;
  return rows[0]!;
}

export async function findBySite(db: Db, siteId: string): Promise<ManagementRow | null> {
  const rows = await db.$queryRaw<ManagementRow[]>`SELECT ${COLS} FROM site_management WHERE site_id = ${siteId}::uuid`;
  return rows[0] ?? null;
}

/** True if the site had an endpoint. */
export async function remove(db: Db, siteId: string): Promise<boolean> {
  return (await db.$executeRaw`DELETE FROM site_management WHERE site_id = ${siteId}::uuid`) > 0;
}
