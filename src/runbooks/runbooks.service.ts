import { AppError } from '../errors.js';
import { auditedPrisma, type Actor } from '../audit/audit.service.js';
import { newId } from '../lib/ids.js';
import type { Deps } from '../runtime.js';
import { bootstrapCommand, renderBootstrap } from '../routeros/bootstrap.js';
import { runbookToken, runbookTokenHash } from '../tokens/runbook-token.js';
import * as repo from './runbooks.repo.js';
import type { RunbookRow } from './runbooks.repo.js';
import { RUNBOOK_TOKEN_RE, type RunbookDto } from './runbooks.schema.js';

export type { RunbookRow };

/** The runbook's token: derived from its id, or the random one it was created with before that. */
function tokenOf(deps: Deps, r: RunbookRow): string {
  return r.legacyToken ?? runbookToken(deps.config.signingKey, r.id);
}

function toDto(deps: Deps, r: RunbookRow): RunbookDto {
  const token = tokenOf(deps, r);
  return {
    id: r.id,
    name: r.name,
    token,
    bootstrap_command: bootstrapCommand(deps.config.publicUrl, token, deps.config.routerTransport),
    created_at: r.createdAt.toISOString(),
    revoked_at: r.revokedAt?.toISOString() ?? null,
  };
}

export async function createRunbook(deps: Deps, by: Actor, input: { name: string }): Promise<RunbookDto> {
  const id = newId();
  const tokenHash = runbookTokenHash(runbookToken(deps.config.signingKey, id));
  const row = await auditedPrisma(
    deps,
    by,
    (tx) => repo.create(tx, { id, orgId: by.org, name: input.name, tokenHash }, new Date(deps.clock())),
    (r) => ({ action: 'runbook.create', target: `runbook:${r.id}`, summary: { name: r.name } }),
  );
  return toDto(deps, row);
}

export async function listRunbooks(deps: Deps, org: string): Promise<RunbookDto[]> {
  return (await repo.listForOrg(deps.db, org)).map((r) => toDto(deps, r));
}

export async function getRunbook(deps: Deps, org: string, id: string): Promise<RunbookDto> {
  const row = await repo.findForOrg(deps.db, org, id);
  if (!row) throw new AppError('runbook_not_found');
  return toDto(deps, row);
}

/** Stops new adoptions with this runbook; routers it adopted keep working. Repeats are harmless. */
export async function revokeRunbook(deps: Deps, by: Actor, id: string): Promise<RunbookDto> {
  const revoked = await auditedPrisma(deps, by, (tx) => repo.revoke(tx, by.org, id, new Date(deps.clock())), (r) =>
    r?.changed ? { action: 'runbook.revoke', target: `runbook:${r.row.id}`, summary: { name: r.row.name } } : null,
  );
  if (!revoked) throw new AppError('runbook_not_found');
  return toDto(deps, revoked.row);
}

/** How long an unknown runbook token is answered 404 from Redis, without a query. */
const UNKNOWN_TOKEN_TTL_SECONDS = 300;

/** The runbook a router's bootstrap token names: 404 if none, 410 if it was revoked. */
export async function runbookForToken(deps: Deps, token: string): Promise<RunbookRow> {
  if (!RUNBOOK_TOKEN_RE.test(token)) throw new AppError('runbook_not_found');
  const hash = runbookTokenHash(token);
  // New runbooks get tokens never seen before, so a remembered miss cannot hide one.
  if (await deps.misses.has('runbook', hash)) throw new AppError('runbook_not_found');
  const row = await repo.findByTokenHash(deps.db, hash);
  if (!row) {
    await deps.misses.add('runbook', [hash], UNKNOWN_TOKEN_TTL_SECONDS);
    throw new AppError('runbook_not_found');
  }
  if (row.revokedAt) throw new AppError('runbook_revoked');
  return row;
}

/** Stage 1 of onboarding (GET /bootstrap/{token}): the script that reports the router for adoption. */
export async function bootstrapScript(deps: Deps, token: string): Promise<string> {
  await runbookForToken(deps, token);
  return renderBootstrap(deps.config.publicUrl, token, deps.config.routerTransport);
}
