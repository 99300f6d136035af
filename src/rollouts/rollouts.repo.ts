import { empty, raw, sql, type SqlClient } from '../db/sql.js';

// Rollouts in PostgreSQL (the truth; Redis and BullMQ only carry wake-ups). Every step of a
// rollout runs in one transaction holding its row lock (`lockRollout`), so two workers, a worker
// and an operator's pause, or a step repeated after a crash are serialised and see each other's
// commits.

export type RolloutState = 'pending_approval' | 'scheduled' | 'running' | 'paused' | 'completed' | 'cancelled';
export type TargetState = 'pending' | 'dispatched' | 'skipped_offline' | 'rejected' | 'cancelled';

export interface RolloutRow {
  id: string;
  orgId: string;
  description: string;
  script: string;
  makeBackup: boolean;
  rollbackAfterSeconds: number | null;
  notifyUrl: string | null;
  targets: unknown;
  canarySiteIds: string[];
  batchSize: number;
  batchIntervalSeconds: number;
  maxFailures: number | null;
  maxFailureRatio: number | null;
  skipOffline: boolean;
  requiresApproval: boolean;
  launchAt: Date | null;
  state: RolloutState;
  pauseReason: string | null;
  failureBaseline: number;
  nextBatchAt: Date | null;
  batches: number;
  createdBy: string;
  approvedBy: string | null;
  createdAt: Date;
  approvedAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}

const COLS = raw(`id, org_id AS "orgId", description, script, make_backup AS "makeBackup",
  rollback_after_seconds AS "rollbackAfterSeconds", notify_url AS "notifyUrl",
  targets, canary_site_ids::text[] AS "canarySiteIds", batch_size AS "batchSize",
  batch_interval_seconds AS "batchIntervalSeconds", max_failures AS "maxFailures", max_failure_ratio AS "maxFailureRatio",
  skip_offline AS "skipOffline", requires_approval AS "requiresApproval", launch_at AS "launchAt", state::text AS state,
  pause_reason AS "pauseReason", failure_baseline AS "failureBaseline", next_batch_at AS "nextBatchAt", batches,
  created_by AS "createdBy", approved_by AS "approvedBy", created_at AS "createdAt", approved_at AS "approvedAt",
  started_at AS "startedAt", finished_at AS "finishedAt"`);

export type NewRollout = Omit<RolloutRow, 'pauseReason' | 'failureBaseline' | 'nextBatchAt' | 'batches' | 'approvedBy' | 'approvedAt' | 'startedAt' | 'finishedAt'>;

export async function insert(db: SqlClient, r: NewRollout): Promise<RolloutRow> {
  const rows = await db.rows<RolloutRow>(sql`
    INSERT INTO rollout (id, org_id, description, script, make_backup, rollback_after_seconds, notify_url, targets, canary_site_ids, batch_size,
                         batch_interval_seconds, max_failures, max_failure_ratio, skip_offline, requires_approval, launch_at,
                         state, created_by, created_at)
    VALUES (${r.id}::uuid, ${r.orgId}, ${r.description}, ${r.script}, ${r.makeBackup}, ${r.rollbackAfterSeconds}::int, ${r.notifyUrl}, ${JSON.stringify(r.targets)}::jsonb,
            ${r.canarySiteIds}::uuid[], ${r.batchSize}, ${r.batchIntervalSeconds}, ${r.maxFailures}, ${r.maxFailureRatio},
            ${r.skipOffline}, ${r.requiresApproval}, ${r.launchAt}::timestamptz, ${r.state}::"RolloutState", ${r.createdBy},
            ${r.createdAt}::timestamptz)
    RETURNING ${COLS}`);
  return rows[0]!;
}

/** The org's rollout, or null. */
export function find(db: SqlClient, orgId: string, id: string): Promise<RolloutRow | null> {
  return db.one<RolloutRow>(sql`SELECT ${COLS} FROM rollout WHERE id = ${id}::uuid AND org_id = ${orgId}`);
}

/** Locks the rollout's row for the rest of the transaction (any org: the worker's path); null if gone. */
export function lockRollout(tx: SqlClient, id: string, orgId: string | null = null): Promise<RolloutRow | null> {
  const org = orgId === null ? empty : sql`AND org_id = ${orgId}`;
  return tx.one<RolloutRow>(sql`SELECT ${COLS} FROM rollout WHERE id = ${id}::uuid ${org} FOR UPDATE`);
}

/** A page of the org's rollouts, newest first, strictly after (at, id). */
export function listPage(db: SqlClient, orgId: string, limit: number, after: { at: Date; key: string } | null): Promise<RolloutRow[]> {
  const from = after === null ? empty : sql`AND (created_at, id) < (${after.at}::timestamptz, ${after.key}::uuid)`;
  return db.rows<RolloutRow>(sql`
    SELECT ${COLS} FROM rollout WHERE org_id = ${orgId} ${from} ORDER BY created_at DESC, id DESC LIMIT ${limit}`);
}

export interface RolloutChange {
  state?: RolloutState;
  pauseReason?: string | null;
  failureBaseline?: number;
  nextBatchAt?: Date | null;
  batches?: number;
  approvedBy?: string;
  approvedAt?: Date;
  startedAt?: Date;
  finishedAt?: Date;
}

/** Sets the given columns (inside the step's transaction, after lockRollout). */
export async function update(tx: SqlClient, id: string, c: RolloutChange): Promise<RolloutRow> {
  const has = (k: keyof RolloutChange): boolean => k in c;
  const rows = await tx.rows<RolloutRow>(sql`
    UPDATE rollout SET
      state = CASE WHEN ${has('state')} THEN ${c.state ?? null}::"RolloutState" ELSE state END,
      pause_reason = CASE WHEN ${has('pauseReason')} THEN ${c.pauseReason ?? null} ELSE pause_reason END,
      failure_baseline = CASE WHEN ${has('failureBaseline')} THEN ${c.failureBaseline ?? 0}::int ELSE failure_baseline END,
      next_batch_at = CASE WHEN ${has('nextBatchAt')} THEN ${c.nextBatchAt ?? null}::timestamptz ELSE next_batch_at END,
      batches = CASE WHEN ${has('batches')} THEN ${c.batches ?? 0}::int ELSE batches END,
      approved_by = CASE WHEN ${has('approvedBy')} THEN ${c.approvedBy ?? null} ELSE approved_by END,
      approved_at = CASE WHEN ${has('approvedAt')} THEN ${c.approvedAt ?? null}::timestamptz ELSE approved_at END,
      started_at = CASE WHEN ${has('startedAt')} THEN ${c.startedAt ?? null}::timestamptz ELSE started_at END,
      finished_at = CASE WHEN ${has('finishedAt')} THEN ${c.finishedAt ?? null}::timestamptz ELSE finished_at END
    WHERE id = ${id}::uuid
    RETURNING ${COLS}`);
  return rows[0]!;
}

/** Records a rollout event (its trigger queues the webhook of started/paused/completed/cancelled). */
export async function addEvent(tx: SqlClient, rolloutId: string, type: string, at: Date, detail: Record<string, unknown> | null = null): Promise<void> {
  await tx.rows(sql`
    INSERT INTO rollout_event (rollout_id, type, at, detail) VALUES (${rolloutId}::uuid, ${type}, ${at}::timestamptz, ${detail === null ? null : JSON.stringify(detail)}::jsonb)`);
}

/**
 * The launch snapshot: one target row per site, in the given order (canaries first), skipping
 * sites that are not the org's or are being deleted. Returns how many were recorded.
 */
export async function insertTargets(tx: SqlClient, rolloutId: string, orgId: string, siteIds: string[], canaries: Set<string>): Promise<number> {
  const rows = await tx.rows<{ n: number }>(sql`
    WITH t AS (
      INSERT INTO rollout_target (rollout_id, site_id, position, canary)
      SELECT ${rolloutId}::uuid, u.site_id, u.ord::int, u.site_id = ANY(${[...canaries]}::uuid[])
      FROM unnest(${siteIds}::uuid[]) WITH ORDINALITY AS u(site_id, ord)
      JOIN site s ON s.id = u.site_id AND s.org_id = ${orgId} AND s.deleted_at IS NULL
      ON CONFLICT DO NOTHING
      RETURNING 1
    ) SELECT count(*)::int AS n FROM t`);
  return rows[0]?.n ?? 0;
}

/** Where a running rollout's jobs stand (one per dispatched target). */
export interface JobProgress {
  inflight: boolean;
  failures: number;
}

/**
 * What every step needs of the rollout's jobs, from job_rollout_id_state_idx: whether any is in
 * flight (the first index entry answers) and how many failed (only failed entries are read). A
 * step is asked for each settled job, so it must not cost a read of every job of the rollout.
 */
export async function jobProgress(tx: SqlClient, rolloutId: string): Promise<JobProgress> {
  const rows = await tx.rows<JobProgress>(sql`
    SELECT EXISTS (SELECT 1 FROM job WHERE rollout_id = ${rolloutId}::uuid AND state IN ('queued', 'delivered', 'started', 'awaiting_confirmation')) AS inflight,
           (SELECT count(*) FROM job WHERE rollout_id = ${rolloutId}::uuid AND state IN ('failed', 'timed_out', 'rolled_back'))::int AS failures`);
  return rows[0]!;
}

/** How many jobs the rollout has (one per dispatched target). */
export async function dispatchedJobs(tx: SqlClient, rolloutId: string): Promise<number> {
  const rows = await tx.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM job WHERE rollout_id = ${rolloutId}::uuid`);
  return rows[0]!.n;
}

/** Targets not dispatched yet (and how many of them are canaries). */
export async function pendingTargets(tx: SqlClient, rolloutId: string): Promise<{ pending: number; canaryPending: number }> {
  const rows = await tx.rows<{ pending: number; canaryPending: number }>(sql`
    SELECT count(*)::int AS pending, (count(*) FILTER (WHERE canary))::int AS "canaryPending"
    FROM rollout_target WHERE rollout_id = ${rolloutId}::uuid AND state = 'pending'`);
  return rows[0]!;
}

/** A target about to be dispatched, with what job creation and skip_offline need of its site. */
export interface BatchTarget {
  siteId: string;
  orgId: string;
  softwareVersion: string | null;
  deletedAt: Date | null;
  offline: boolean;
}

/** The next `limit` pending targets (canaries only, or any), locked, in position order. */
export function nextPending(tx: SqlClient, rolloutId: string, limit: number, canariesOnly: boolean): Promise<BatchTarget[]> {
  const canary = canariesOnly ? sql`AND t.canary` : empty;
  // Offline as GET /site?status=offline says: an open outage, or never heard from.
  return tx.rows<BatchTarget>(sql`
    SELECT t.site_id AS "siteId", s.org_id AS "orgId", s.software_version AS "softwareVersion", s.deleted_at AS "deletedAt",
           (s.offline_since IS NOT NULL OR s.last_seen_at IS NULL) AS offline
    FROM rollout_target t JOIN site s ON s.id = t.site_id
    WHERE t.rollout_id = ${rolloutId}::uuid AND t.state = 'pending' ${canary}
    ORDER BY t.position LIMIT ${limit}
    FOR UPDATE OF t`);
}

/** Records the outcome of each target of a batch: one statement for all of them. */
export async function settleTargets(
  tx: SqlClient,
  rolloutId: string,
  batch: number,
  outcomes: { siteId: string; state: TargetState; jobId: string | null; reason: string | null }[],
): Promise<void> {
  if (outcomes.length === 0) return;
  await tx.rows(sql`
    UPDATE rollout_target t SET state = u.state::"RolloutTargetState", job_id = u.job_id, reason = u.reason, batch = ${batch}
    FROM unnest(${outcomes.map((o) => o.siteId)}::uuid[], ${outcomes.map((o) => o.state)}::text[],
                ${outcomes.map((o) => o.jobId)}::uuid[], ${outcomes.map((o) => o.reason)}::text[]) AS u(site_id, state, job_id, reason)
    WHERE t.rollout_id = ${rolloutId}::uuid AND t.site_id = u.site_id`);
}

/** Marks every still-pending target cancelled. */
export async function cancelPending(tx: SqlClient, rolloutId: string): Promise<void> {
  await tx.rows(sql`UPDATE rollout_target SET state = 'cancelled' WHERE rollout_id = ${rolloutId}::uuid AND state = 'pending'`);
}

/** A target's effective state: its own until dispatched, then its job's. */
const EFFECTIVE = raw(`CASE WHEN t.state = 'dispatched' THEN j.state::text ELSE t.state::text END`);

/** Targets of each rollout by effective state (only states with at least one target), one statement for all. */
export function countsByState(db: SqlClient, rolloutIds: string[]): Promise<{ rolloutId: string; state: string; n: number }[]> {
  if (rolloutIds.length === 0) return Promise.resolve([]);
  return db.rows<{ rolloutId: string; state: string; n: number }>(sql`
    SELECT t.rollout_id::text AS "rolloutId", ${EFFECTIVE} AS state, count(*)::int AS n
    FROM rollout_target t LEFT JOIN job j ON j.id = t.job_id
    WHERE t.rollout_id = ANY(${rolloutIds}::uuid[]) GROUP BY 1, 2`);
}

export interface TargetRow {
  siteId: string;
  position: number;
  canary: boolean;
  batch: number | null;
  state: string;
  jobId: string | null;
  reason: string | null;
}

/** A page of targets in launch order, after position `after`, optionally of one effective state. */
export function listTargets(db: SqlClient, rolloutId: string, state: string | null, limit: number, after: number | null): Promise<TargetRow[]> {
  const from = after === null ? empty : sql`AND t.position > ${after}`;
  const only = state === null ? empty : sql`AND ${EFFECTIVE} = ${state}`;
  return db.rows<TargetRow>(sql`
    SELECT t.site_id AS "siteId", t.position, t.canary, t.batch, ${EFFECTIVE} AS state, t.job_id AS "jobId", t.reason
    FROM rollout_target t LEFT JOIN job j ON j.id = t.job_id
    WHERE t.rollout_id = ${rolloutId}::uuid ${from} ${only}
    ORDER BY t.position LIMIT ${limit}`);
}

/** Rollouts whose timer is due: scheduled past launch_at, or running past next_batch_at. */
export function due(db: SqlClient, now: Date, limit: number): Promise<{ id: string }[]> {
  return db.rows<{ id: string }>(sql`
    SELECT id FROM rollout
    WHERE (state = 'scheduled' AND launch_at <= ${now}::timestamptz) OR (state = 'running' AND next_batch_at <= ${now}::timestamptz)
    ORDER BY created_at LIMIT ${limit}`);
}

export interface RolloutEventRow {
  id: bigint;
  rolloutId: string;
  orgId: string;
  type: string;
  at: Date;
  detail: unknown;
  notifyUrl: string | null;
  webhookAttempts: number;
  webhookOutcome: string | null;
}

export function findEvent(db: SqlClient, id: bigint): Promise<RolloutEventRow | null> {
  return db.one<RolloutEventRow>(sql`
    SELECT e.id, e.rollout_id AS "rolloutId", r.org_id AS "orgId", e.type, e.at, e.detail, r.notify_url AS "notifyUrl",
           e.webhook_attempts AS "webhookAttempts", e.webhook_outcome::text AS "webhookOutcome"
    FROM rollout_event e JOIN rollout r ON r.id = e.rollout_id WHERE e.id = ${id}`);
}

export async function recordWebhookAttempt(db: SqlClient, id: bigint, attempt: number, outcome: string): Promise<void> {
  await db.rows(sql`
    UPDATE rollout_event SET webhook_attempts = ${attempt}, webhook_outcome = ${outcome}::"WebhookOutcome" WHERE id = ${id}`);
}
