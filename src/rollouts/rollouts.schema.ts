import { z } from 'zod';
import { asyncJobBody } from '../jobs/jobs.schema.js';
import { keysetQuery } from '../lib/cursor.js';
import { uuid } from '../http/validate.js';
import { listSitesQuery } from '../sites/sites.schema.js';

// Requests and responses of the rollout API (issue 9, item 2; docs/rollouts.md).

export const MAX_TARGET_IDS = 50_000;
export const MAX_CANARIES = 100;

const f = listSitesQuery.shape;

/** GET /site's filters, as a JSON object. */
const siteQuery = z.strictObject({
  tag: f.tag,
  status: f.status,
  version: f.version,
  model: f.model,
  q: f.q,
  has_open_fault: z.boolean().optional().meta({ description: '`true`: only sites with an unresolved fault; `false`: only sites without one.' }),
});

const targets = z
  .strictObject({
    site_ids: z.array(uuid).max(MAX_TARGET_IDS).optional().meta({ description: `Sites by id (at most ${MAX_TARGET_IDS}).` }),
    tags: z.array(f.tag.unwrap()).min(1).max(32).optional().meta({ description: 'Every site carrying any of these tags.' }),
    query: siteQuery.optional().meta({ description: "Every site matching these filters (GET /site's, all of them at once)." }),
  })
  .refine((t) => t.site_ids !== undefined || t.tags !== undefined || t.query !== undefined, 'site_ids, tags or query is required')
  .meta({
    description:
      'Which sites: the union of the sites named, those carrying any of the tags and those matching the query, each once, only sites of your organisation that are not being deleted. Resolved when the rollout launches (a snapshot).',
    example: { tags: ['branch'] },
  });

export const createRolloutBody = z
  .strictObject({
    description: asyncJobBody.shape.description.meta({ description: 'Describes the change; every job of the rollout carries it.', example: 'Enable DNS cache' }),
    script: z.string().meta({ description: 'The RouterOS script every target runs, as an ordinary job.', example: '/ip dns set allow-remote-requests=no cache-size=4096' }),
    targets,
    make_backup: z.boolean().default(false).meta({ description: 'Each job backs up the configuration before running the script (RouterOS v7).' }),
    rollback_after_seconds: z.number().int().min(60).max(3600).optional().meta({
      description: 'Safe apply for every job (docs/rollback.md): a router that cannot reach tikops again within this many seconds after the change restores its configuration. Implies make_backup (RouterOS v7); a rolled-back job counts as a failure.',
    }),
    notify_url: asyncJobBody.shape.notify_url.meta({
      description: "Receives the rollout's webhooks (rollout.started, rollout.paused, rollout.completed, rollout.cancelled) and each job's job.* webhooks.",
    }),
    launch_at: z.iso.datetime({ offset: true }).optional().meta({ description: 'When to launch (resolve the targets and start); now when absent or past.', example: '2026-12-03T02:00:00Z' }),
    canary_site_ids: z.array(uuid).max(MAX_CANARIES).default([]).meta({
      description: 'Sites that run first (they are targets too). The rest waits until every canary settled; any canary failure pauses the rollout.',
    }),
    batch_size: z.number().int().min(1).max(10_000).default(100).meta({ description: 'Targets per batch after the canaries.' }),
    batch_interval_seconds: z.number().int().min(0).max(604_800).default(60).meta({
      description: 'Minimum time between the starts of two batches; a batch also waits until every job of the previous one settled.',
    }),
    max_failures: z.number().int().min(0).max(1_000_000).optional().meta({ description: 'Pause when more jobs than this failed or timed out (since the last resume).' }),
    max_failure_ratio: z.number().min(0).max(1).optional().meta({
      description: 'Pause when failed and timed-out jobs (since the last resume) exceed this share of the jobs dispatched so far.',
    }),
    skip_offline: z.boolean().default(false).meta({ description: 'Sites offline when their batch starts are recorded `skipped_offline` instead of getting a job.' }),
    requires_approval: z.boolean().default(false).meta({
      description: 'Wait in `pending_approval` until another actor with `rollouts:approve` approves it (two-person rule).',
    }),
  })
  .refine((b) => b.max_failures === undefined || b.max_failure_ratio === undefined, 'give max_failures or max_failure_ratio, not both');

export type CreateRolloutBody = z.output<typeof createRolloutBody>;

export const rolloutParams = z.object({ rolloutId: uuid.meta({ description: 'The UUID of the rollout.' }) });

export const ROLLOUT_STATES = ['pending_approval', 'scheduled', 'running', 'paused', 'completed', 'cancelled'] as const;
/** A target's state: its own until it became a job, then its job's. */
export const TARGET_STATES = [
  'pending', 'skipped_offline', 'rejected', 'cancelled',
  'queued', 'delivered', 'started', 'awaiting_confirmation', 'completed', 'failed', 'timed_out', 'rolled_back',
] as const;
export type TargetStateName = (typeof TARGET_STATES)[number];

const count = z.number().int().min(0);
const counts = z
  .object(Object.fromEntries(TARGET_STATES.map((s) => [s, count])) as Record<TargetStateName, typeof count>)
  .extend({ total: count })
  .meta({ id: 'RolloutCounts', description: 'Targets per state (a dispatched target counts under its job\'s state), and their total.' });

const at = (description: string) => z.iso.datetime().nullable().meta({ description });

export const rollout = z
  .object({
    id: uuid,
    description: z.string(),
    script: z.string(),
    targets: z.unknown().meta({ description: 'The target selection as given.' }),
    canary_site_ids: z.array(uuid),
    make_backup: z.boolean(),
    rollback_after_seconds: z.number().int().nullable(),
    notify_url: z.string().nullable(),
    batch_size: z.number().int(),
    batch_interval_seconds: z.number().int(),
    max_failures: z.number().int().nullable(),
    max_failure_ratio: z.number().nullable(),
    skip_offline: z.boolean(),
    requires_approval: z.boolean(),
    launch_at: at('When it launches (or launched); null = when created or approved.'),
    state: z.enum(ROLLOUT_STATES).meta({ description: 'pending_approval → scheduled → running ⇄ paused → completed, or cancelled from any but completed.' }),
    pause_reason: z.string().nullable().meta({ description: '`operator`, `canary_failed`, `max_failures` or `max_failure_ratio` while paused; null otherwise.' }),
    batches: z.number().int().meta({ description: 'Batches dispatched after the canaries.' }),
    next_batch_at: at('The earliest start of the next batch, while running.'),
    created_by: z.string().meta({ description: 'The credential that created it (`key:<id>`, `jwt:<sub>`).' }),
    approved_by: z.string().nullable(),
    created_at: z.iso.datetime(),
    approved_at: at('When it was approved.'),
    started_at: at('When it launched.'),
    finished_at: at('When it completed or was cancelled.'),
    counts,
  })
  .meta({ id: 'Rollout', description: 'A staged rollout of one script to many sites.' });

export type RolloutDto = z.infer<typeof rollout>;

export const rolloutTarget = z
  .object({
    site_id: uuid,
    position: z.number().int().meta({ description: 'Launch order (canaries first), from 1.' }),
    canary: z.boolean(),
    batch: z.number().int().nullable().meta({ description: '0 for the canaries, then 1, 2, …; null until its batch started.' }),
    state: z.enum(TARGET_STATES),
    job_id: uuid.nullable().meta({ description: 'The job it became (GET /site/{siteId}/job/{jobId}).' }),
    reason: z.string().nullable().meta({ description: 'For `rejected`: the error code creating its job answered (e.g. `backup_requires_v7`).' }),
  })
  .meta({ id: 'RolloutTarget', description: 'One site of a rollout and what became of it.' });

export type RolloutTargetDto = z.infer<typeof rolloutTarget>;

export const listRolloutsQuery = z.strictObject({ ...keysetQuery({ max: 200, default: 50 }) });

export const listTargetsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  cursor: z.string().regex(/^[0-9]{1,9}$/, 'expected a cursor from X-Next-Cursor').transform(Number).optional().meta({ description: 'The X-Next-Cursor of the previous page.' }),
  state: z.enum(TARGET_STATES).optional().meta({ description: 'Only targets in this state.' }),
});
