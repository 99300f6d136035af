import type { Db, DbTx } from '../db/prisma.js';

// webhook_secret: one row per org, the current secret and (after a rotation) the previous one,
// both sealed (src/lib/secret-box.ts); see src/webhooks/secrets.service.ts.

export interface SecretRow {
  orgId: string;
  secretEnc: Uint8Array;
  previousEnc: Uint8Array | null;
  previousUntil: Date | null;
  createdAt: Date;
  rotatedAt: Date | null;
}

const COLUMNS = { orgId: true, secretEnc: true, previousEnc: true, previousUntil: true, createdAt: true, rotatedAt: true } as const;

export function findByOrg(db: Db | DbTx, orgId: string): Promise<SecretRow | null> {
  return db.webhookSecret.findUnique({ where: { orgId }, select: COLUMNS });
}

/** Stores the org's first secret unless another caller stored one first; returns the row that won. */
export async function createIfAbsent(db: Db | DbTx, orgId: string, secretEnc: Uint8Array, now: Date): Promise<{ row: SecretRow; created: boolean }> {
  const { count } = await db.webhookSecret.createMany({ data: [{ orgId, secretEnc: Buffer.from(secretEnc), createdAt: now }], skipDuplicates: true });
  const row = await db.webhookSecret.findUniqueOrThrow({ where: { orgId }, select: COLUMNS });
  return { row, created: count > 0 };
}

/**
 * Compare-and-set rotation: replaces the secret only if it still is `expectedEnc` (a concurrent
 * rotation wins otherwise, and the caller reads again). Returns whether it replaced it.
 */
export async function rotate(
  db: Db | DbTx,
  orgId: string,
  expectedEnc: Uint8Array,
  next: { secretEnc: Uint8Array; previousEnc: Uint8Array | null; previousUntil: Date | null; rotatedAt: Date },
): Promise<boolean> {
  const { count } = await db.webhookSecret.updateMany({
    where: { orgId, secretEnc: { equals: Buffer.from(expectedEnc) } },
    data: {
      secretEnc: Buffer.from(next.secretEnc),
      previousEnc: next.previousEnc ? Buffer.from(next.previousEnc) : null,
      previousUntil: next.previousUntil,
      rotatedAt: next.rotatedAt,
    },
  });
  return count > 0;
}
