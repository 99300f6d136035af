import { randomBytes } from 'node:crypto';
import { AppError } from '../errors.js';
import { auditedPrisma, type Actor } from '../audit/audit.service.js';
import { newId, uuidToBase62 } from '../lib/ids.js';
import type { Deps } from '../runtime.js';
import { bootstrapCommand, renderBootstrap } from '../routeros/bootstrap.js';
import * as repo from './runbooks.repo.js';
import type { RunbookRow } from './runbooks.repo.js';
import { RUNBOOK_TOKEN_RE, type RunbookDto } from './runbooks.schema.js';

export type { RunbookRow };

function toDto(deps: Deps, r: RunbookRow): RunbookDto {
  return {
    id: r.id,
    name: r.name,
    token: r.token,
    bootstrap_command: bootstrapCommand(deps.config.publicUrl, r.token),
    created_at: r.createdAt.toISOString(),
    revoked_at: r.revokedAt?.toISOString() ?? null,
  };
}

/** 128 random bits as 22 base62 characters (uuidToBase62 reads any 32 hex digits). */
function newToken(): string {
  return uuidToBase62(randomBytes(16).toString('hex'));
}

export async function createRunbook(deps: Deps, by: Actor, input: { name: string }): Promise<RunbookDto> {
  const row = await auditedPrisma(
    deps,
    by,
    (tx) => repo.create(tx, { id: newId(), orgId: by.org, name: input.name, token: newToken() }, new Date(deps.clock())),
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

/** The runbook a router's bootstrap token names: 404 if none, 410 if it was revoked. */
export async function runbookForToken(deps: Deps, token: string): Promise<RunbookRow> {
  const row = RUNBOOK_TOKEN_RE.test(token) ? await repo.findByToken(deps.db, token) : null;
  if (!row) throw new AppError('runbook_not_found');
  if (row.revokedAt) throw new AppError('runbook_revoked');
  return row;
}

/** Stage 1 of onboarding (GET /bootstrap/{token}): the script that reports the router for adoption. */
export async function bootstrapScript(deps: Deps, token: string): Promise<string> {
  const row = await runbookForToken(deps, token);
  return renderBootstrap(deps.config.publicUrl, row.token);
}
