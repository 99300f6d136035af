import { auditedPrisma, type Actor } from '../audit/audit.service.js';
import { AppError } from '../errors.js';
import { createSecretBox, type SecretBox } from '../lib/secret-box.js';
import type { Deps } from '../runtime.js';
import { formatSecret, newSecretKey } from './sign.js';
import * as repo from './secrets.repo.js';
import type { SecretRow } from './secrets.repo.js';
import type { RotatedSecretDto, WebhookSecretDto } from './webhooks.schema.js';

// Per-org webhook signing secrets (docs/webhooks.md, docs/security.md). Each org's secret is 32
// random bytes, created on first use (the first delivery or the operator's first look), stored
// sealed under a subkey of SIGNING_KEY with the org id as associated data: a database dump alone
// reveals no secret, and one org's sealed value copied onto another's row does not open. A
// rotation keeps the previous secret, still sealed, until its grace period ends; deliveries are
// signed with both until then.

const box = (deps: Deps): SecretBox => createSecretBox(deps.config.signingKey, 'webhook-secret');
const owner = (org: string): string => `org:${org}`;

function open(deps: Deps, org: string, sealed: Uint8Array): Buffer | null {
  return box(deps).openBytes(sealed, owner(org));
}

/**
 * The org's secret row, created on first use. A current secret that no longer opens (SIGNING_KEY
 * was changed) is replaced by a new one at once, without a grace period: nothing could sign with
 * the old one anyway, and receivers get the new one from GET /webhook-secret (docs/security.md).
 */
async function ensure(deps: Deps, db: Parameters<typeof repo.findByOrg>[0], org: string): Promise<{ row: SecretRow; created: boolean }> {
  const found = await repo.findByOrg(db, org);
  if (!found) return repo.createIfAbsent(db, org, box(deps).seal(newSecretKey(), owner(org)), new Date(deps.clock()));
  if (open(deps, org, found.secretEnc)) return { row: found, created: false };
  deps.log.warn({ org }, 'webhook secret does not open under SIGNING_KEY; replacing it');
  const now = new Date(deps.clock());
  await repo.rotate(db, org, found.secretEnc, { secretEnc: box(deps).seal(newSecretKey(), owner(org)), previousEnc: null, previousUntil: null, rotatedAt: now });
  // Whoever won a concurrent replacement, the row now holds a secret that opens.
  return { row: (await repo.findByOrg(db, org)) ?? found, created: true };
}

const previousValid = (row: SecretRow, nowMs: number): boolean =>
  row.previousEnc !== null && row.previousUntil !== null && row.previousUntil.getTime() > nowMs;

/**
 * The keys deliveries of `org` are signed with at `nowMs`: the current secret, then the previous
 * one while its grace period lasts. Creates the org's secret on first use.
 */
export async function signingKeys(deps: Deps, org: string, nowMs: number): Promise<Buffer[]> {
  const { row } = await ensure(deps, deps.db, org);
  const current = open(deps, org, row.secretEnc);
  if (!current) throw new Error(`the webhook secret of org ${org} does not open under SIGNING_KEY`);
  const previous = previousValid(row, nowMs) ? open(deps, org, row.previousEnc!) : null;
  return previous ? [current, previous] : [current];
}

/** GET /webhook-secret: the org's current secret (created now if it has none); the reveal is audited. */
export async function revealSecret(deps: Deps, by: Actor): Promise<WebhookSecretDto> {
  const nowMs = deps.clock();
  const { row, created } = await auditedPrisma(deps, by, (tx) => ensure(deps, tx, by.org), (r) => ({
    action: 'webhook_secret.reveal',
    target: `webhook_secret:${by.org}`,
    summary: { created: r.created },
  }));
  const current = open(deps, by.org, row.secretEnc);
  if (!current) throw new Error(`the webhook secret of org ${by.org} does not open under SIGNING_KEY`);
  return {
    secret: formatSecret(current),
    created_at: (created ? new Date(nowMs) : row.createdAt).toISOString(),
    rotated_at: row.rotatedAt?.toISOString() ?? null,
    previous_valid_until: previousValid(row, nowMs) ? row.previousUntil!.toISOString() : null,
  };
}

/**
 * POST /webhook-secret/rotate: a new secret, the current one kept for `graceSeconds` (config by
 * default; 0 ends it at once, for a leaked secret). An earlier previous secret ends now.
 */
export async function rotateSecret(deps: Deps, by: Actor, graceSeconds?: number): Promise<RotatedSecretDto> {
  const grace = graceSeconds ?? deps.config.webhook.secretGraceSeconds;
  const key = newSecretKey();
  for (let attempt = 0; attempt < 3; attempt++) {
    const nowMs = deps.clock();
    const previousUntil = grace > 0 ? new Date(nowMs + grace * 1000) : null;
    const done = await auditedPrisma(
      deps,
      by,
      async (tx) => {
        const { row } = await ensure(deps, tx, by.org);
        const next = { secretEnc: box(deps).seal(key, owner(by.org)), previousEnc: grace > 0 ? row.secretEnc : null, previousUntil, rotatedAt: new Date(nowMs) };
        return repo.rotate(tx, by.org, row.secretEnc, next);
      },
      (won) => (won ? { action: 'webhook_secret.rotate', target: `webhook_secret:${by.org}`, summary: { grace_seconds: grace } } : null),
    );
    if (done) return { secret: formatSecret(key), rotated_at: new Date(nowMs).toISOString(), previous_valid_until: previousUntil?.toISOString() ?? null };
  }
  throw new AppError('webhook_secret_busy');
}
