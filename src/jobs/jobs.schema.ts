import { z } from 'zod';
import { text } from '../http/text.js';
import { headerBool, uuid } from '../http/validate.js';

// Requests and responses of the job API. Descriptions of the seed's fields are the seed's words
// (Altostrat's mikrotik-api.yaml, POST /site/{siteId}/job); tikops' additions say so.

const description = text().min(3).max(100);
const leaseSeconds = z.number().int().min(5).max(86_400);
const timeoutSeconds = z.number().int().min(10).max(604_800);
/** Safe apply (docs/rollback.md): how long the router waits for tikops' confirmation before it reverts. */
const rollbackSeconds = z.number().int().min(60).max(3_600);
/** Whole seconds in a header, within the bounds of `n` (documented as the integer it carries). */
const headerSeconds = (n: z.ZodNumber): z.ZodPipe<z.ZodPipe<z.ZodString, z.ZodTransform<number, string>>, z.ZodNumber> =>
  z
    .string()
    .regex(/^\d{1,9}$/, 'expected whole seconds')
    .transform(Number)
    .pipe(n)
    .meta({ type: 'integer', minimum: n.minValue, maximum: n.maxValue });

export const siteParams = z.object({ siteId: uuid.meta({ description: 'The UUID of the site.' }) });
export const jobParams = z.object({
  siteId: uuid.meta({ description: 'The UUID of the site.' }),
  jobId: uuid.meta({ description: 'The UUID of the job.' }),
});

/** Headers of the raw form, POST /site/{siteId}/job (names lower-cased as Node delivers them). */
export const rawJobHeaders = z.object({
  'x-idempotency-key': uuid.meta({ description: 'A unique UUID provided by the client to ensure that the request is processed only once.' }),
  'x-description': description.meta({ description: "A human-readable description of the job's purpose." }),
  'x-needs-ack': headerBool
    .meta({ description: "(Default: true) Set to `false` if the job should be considered complete as soon as it's sent to the device, without waiting for a success/fail response." })
    .default(true),
  'x-backup': headerBool
    .meta({ description: '(Default: false) Set to `true` to automatically create a configuration backup of the site before executing this job.' })
    .default(false),
  'x-express-execute': headerBool
    .meta({ description: '(Default: false) Set to `true` to attempt to trigger an immediate device check-in for faster job execution.' })
    .default(false),
  'x-lease-seconds': headerSeconds(leaseSeconds)
    .meta({ description: '(tikops) How long a delivery may stay unclaimed before the job is handed out again; default JOB_LEASE_SECONDS.' })
    .optional(),
  'x-timeout-seconds': headerSeconds(timeoutSeconds)
    .meta({ description: '(tikops) How long a claimed job may run before it is settled as timed out; default JOB_TIMEOUT_SECONDS.' })
    .optional(),
  'x-rollback-seconds': headerSeconds(rollbackSeconds)
    .meta({
      description:
        '(tikops) Safe apply (docs/rollback.md): the router saves an on-device backup before the payload and restores it by itself unless a later poll reaches tikops within this many seconds. Implies `X-Backup: true`, so RouterOS v7 only.',
    })
    .optional(),
});

const notifyUrl = z.url({ protocol: /^https?$/ }).max(2048);

/** Body of the JSON form, POST /api/asynchronous/{siteId}. */
export const asyncJobBody = z.strictObject({
  description: description.meta({ example: 'Add guest network address' }),
  script: z.string().meta({ example: '/ip address add address=192.168.99.1/24 interface=bridge' }),
  make_backup: z.boolean().default(false).meta({ description: 'Create a configuration backup before running the script.' }),
  express_execute: z.boolean().default(false).meta({ description: 'Ask for a faster device check-in where possible.' }),
  // The documented default of this form differs from the header form's (README.md, "Using the API").
  needs_acknowledgement: z.boolean().default(false).meta({ description: 'Require the device job to acknowledge completion.' }),
  notify_url: notifyUrl
    .nullable()
    .default(null)
    .meta({ description: 'Optional callback URL for job status notification.', example: 'https://example.com/sdx/job-complete' }),
  lease_seconds: leaseSeconds.optional().meta({ description: '(tikops) Unclaimed-delivery lease; default JOB_LEASE_SECONDS.' }),
  timeout_seconds: timeoutSeconds.optional().meta({ description: '(tikops) Run timeout once claimed; default JOB_TIMEOUT_SECONDS.' }),
  rollback_after_seconds: rollbackSeconds
    .optional()
    .meta({ description: '(tikops) Safe apply (docs/rollback.md): revert on the router unless confirmed within this many seconds; implies `make_backup`, so RouterOS v7 only.' }),
});

export const optionalIdempotencyKey = z.object({
  'x-idempotency-key': uuid.optional().meta({ description: 'Optional client UUID; a replay with the same body returns the same job.' }),
});

export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z
    .string()
    .regex(/^[0-9]{1,19}$/, 'expected a cursor from X-Next-Cursor')
    // The cursor is a bigint column's value: one past its range is no cursor tikops ever gave out.
    // (zod runs every check, so this one must not assume the pattern above matched.)
    .refine((s) => !/^[0-9]{1,19}$/.test(s) || BigInt(s) <= 9_223_372_036_854_775_807n, 'expected a cursor from X-Next-Cursor')
    .transform((s) => BigInt(s))
    .optional()
    .meta({ description: 'The X-Next-Cursor of the previous page.' }),
});

export const JOB_STATES = ['queued', 'delivered', 'started', 'completed', 'failed', 'cancelled', 'timed_out', 'awaiting_confirmation', 'rolled_back'] as const;

/** GET /jobs: the org's jobs, newest first, optionally by state, site and creation time. */
export const orgJobsQuery = z.strictObject({
  ...listQuery.shape,
  status: z.enum(JOB_STATES).optional().meta({ description: 'Only jobs in this state.' }),
  site: uuid.optional().meta({ description: 'Only jobs of this site.' }),
  since: z.iso
    .datetime({ offset: true })
    .transform((s) => new Date(s))
    .optional()
    .meta({ description: 'Only jobs created at or after this ISO 8601 date-time.' }),
});

export const callbackQuery = z.object({
  status: z.enum(['busy', 'done', 'fail', 'confirmed']).meta({ description: '`confirmed`: a rollback job\'s router removed its revert entry after a later poll (docs/rollback.md).' }),
  attempt: z.coerce.number().int().min(1).max(2_147_483_647),
  signature: z.string().min(1).max(128),
  /** Unsigned hint on a fail: `backup` = the pre-job backup step failed (docs/backups.md); `rollback` = the rollback could not be armed (docs/rollback.md). */
  reason: z
    .enum(['backup', 'rollback'])
    .optional()
    .meta({ description: 'Unsigned, with status=fail only: `backup` = the pre-job backup step failed (docs/backups.md); `rollback` = the safe-apply rollback could not be armed, so the payload did not run (docs/rollback.md).' }),
});

/** POST /job/{jobId}/update: an outcome with captured output (src/routeros/wrapper.ts, captureAndReport). */
export const outcomeQuery = z.object({
  status: z.enum(['done', 'fail']),
  attempt: callbackQuery.shape.attempt,
  signature: callbackQuery.shape.signature,
  outlen: z.coerce.number().int().min(0).max(2_147_483_647).meta({ description: 'Unsigned: bytes the payload printed.' }),
  errlen: z.coerce.number().int().min(0).max(65_536).meta({ description: 'Unsigned: bytes of error text at the start of the body.' }),
});

const at = (description: string, example: string | null) => z.iso.datetime().nullable().meta({ description, example });


/** The seed's `Job` schema, field for field, then tikops' additive fields. */
export const job = z
  .object({
    id: uuid.meta({ description: 'The unique identifier (UUID) for the job.', example: '8b8b2e5e-1a19-4a19-8b19-1e1919191919' }),
    token: z.string().meta({ description: 'A short, unique, human-readable token for the job, often used in log filtering.', example: '2jP5kLqWnZ' }),
    site_id: uuid.meta({ description: 'The ID of the site this job is targeted for.', example: '9a9a3e6f-1b1a-4b1a-8c1a-1e1a1a1a1a1a' }),
    idempotency_key: uuid.meta({ description: 'A unique key provided by the client to prevent duplicate job creation.', example: '7c7c1e4e-1918-4918-8a18-1e1818181818' }),
    description: z.string().meta({ description: "A human-readable description of the job's purpose.", example: 'Add new firewall rule for guest network' }),
    express_execute: z.boolean().meta({ description: 'If `true`, the platform will attempt to trigger an immediate check-in from the device to execute this job sooner.', example: false }),
    needs_acknowledgement: z.boolean().meta({ description: 'If `true`, the job requires an explicit success/fail notification from the device to be marked as complete.', example: true }),
    should_backup: z.boolean().meta({ description: 'If `true`, a configuration backup was automatically created before this job was queued.', example: true }),
    associated_backup: z.string().nullable().meta({ description: 'The path to the configuration backup file associated with this job, if one was created.', example: '9a9a3e6f-1b1a-4b1a-8c1a-1e1a1a1a1a1a/1667888400.rsc' }),
    started_at: at('The timestamp when the device started executing the job.', '2025-10-29T12:05:10Z'),
    completed_at: at('The timestamp when the device reported successful completion of the job.', null),
    failed_at: at('The timestamp when the device reported a failure during job execution.', null),
    created_at: z.iso.datetime().meta({ description: 'The timestamp when the job was created.', example: '2025-10-29T12:00:00Z' }),
    log_url: z.string().meta({ description: "A URL to view logs related to this job's execution: the absolute path of the job's events on this API, `/site/{siteId}/job/{jobId}/events`.", example: '/site/9a9a3e6f-1b1a-4b1a-8c1a-1e1a1a1a1a1a/job/8b8b2e5e-1a19-4a19-8b19-1e1919191919/events' }),
    script: z.string().meta({ description: 'The raw RouterOS script payload of the job.', example: '/ip firewall filter add chain=forward action=accept src-address-list=guests' }),
    status: z.enum(JOB_STATES).meta({ description: "The job's lifecycle state (tikops addition).", example: 'started' }),
    delivered_at: at('The timestamp when the job was last handed to the router by a poll (tikops addition).', '2025-10-29T12:05:02Z'),
    cancelled_at: at('The timestamp when the job was cancelled before delivery (tikops addition).', null),
    timed_out_at: at('The timestamp when a started job was settled as timed out: no final callback before its timeout, or the router rebooted mid-job (tikops addition).', null),
    notify_url: z.string().nullable().meta({ description: 'The callback URL given with the JSON form, if any (tikops addition).', example: null }),
    lease_seconds: z.number().int().meta({ description: 'How long a delivery may stay unclaimed before the job may be handed out again (tikops addition).', example: 120 }),
    timeout_seconds: z.number().int().meta({ description: 'How long a claimed job may run before it is settled as timed out (tikops addition).', example: 900 }),
    created_by: z.string().nullable().meta({ description: 'The operator credential that created it: `key:<api key id>` or `jwt:<sub>`; null for jobs tikops queued itself (tikops addition).', example: 'key:0b9e8f1c-2f7e-4a53-9f0c-6f3a4f3c2b1a' }),
    output: z.string().nullable().meta({
      description: "What the payload printed, as the router reported it with its outcome (RouterOS 7.15+, acknowledged jobs; untrusted text, at most JOB_OUTPUT_MAX_BYTES bytes). Null when nothing was reported (tikops addition).",
      example: 'Flags: X - disabled\n 0   192.168.99.1/24  192.168.99.0  ether2\n',
    }),
    error: z.string().nullable().meta({ description: "The payload's error message on a failed job (RouterOS 7.15+, `:onerror`; untrusted text, at most 1,024 bytes) (tikops addition).", example: null }),
    output_truncated: z.boolean().meta({ description: 'True when the output was longer than what the router sent or tikops kept (tikops addition).', example: false }),
    output_supported: z.boolean().nullable().meta({
      description: 'Whether the outcome was reported with output capture: false for RouterOS v6 and 7.0–7.14 (status only), null until the router reported an outcome (tikops addition).',
      example: true,
    }),
    rollback_after_seconds: z.number().int().nullable().meta({
      description:
        'Safe apply (docs/rollback.md): the router reverts to its pre-job backup unless confirmed within this many seconds; the job waits in `awaiting_confirmation` after `done` and ends `completed` (confirmed) or `rolled_back`. Null for an ordinary job (tikops addition).',
      example: null,
    }),
  })
  .meta({ id: 'Job', description: 'An asynchronous command or script to be executed on a Site.' });

export type JobDto = z.infer<typeof job>;

export const JOB_EVENT_TYPES = [
  'created', 'delivered', 'lease_expired', 'started', 'completed', 'failed', 'cancelled', 'timed_out',
  'express_requested', 'express_succeeded', 'express_failed', 'backup_stored', 'backup_failed',
  'awaiting_confirmation', 'confirmed', 'rolled_back', 'express_unconfirmed',
  'backup_unchanged', 'config_changed',
] as const;

export const jobEvent = z
  .object({
    type: z.enum(JOB_EVENT_TYPES),
    attempt: z.number().int().min(0).meta({ description: 'The delivery attempt the event belongs to.' }),
    at: z.iso.datetime().meta({ description: 'When the event happened.', example: '2025-10-29T12:05:10Z' }),
    detail: z.unknown().meta({ description: 'Event-specific JSON details, or null.' }),
  })
  .meta({ id: 'JobEvent', description: 'One step in the life of a job.' });

export type JobEventDto = z.infer<typeof jobEvent>;

export const asyncJobAccepted = z
  .object({
    status: z.literal('success'),
    data: z
      .object({
        idempotency_key: uuid.meta({ example: 'f9e2b0a1-7f12-4d35-9c86-7ebfe33ac18b' }),
        request_id: uuid.meta({ description: 'The job id.', example: '5f9475ef-565f-5d10-8a86-4c7f5fdb2687' }),
        target: uuid.meta({ description: 'The site id.', example: '9c69345c-8d39-4786-9f17-8153c988c89a' }),
        notify_url: z.string().nullable().meta({ example: 'https://example.com/sdx/job-complete' }),
        date: z.string().meta({ format: 'date-time', example: '2026-04-20T03:14:15+00:00' }),
      })
      .meta({ description: 'The queued job.' }),
  })
  .meta({ id: 'AsyncJobAccepted', description: 'A job queued through the developer API.' });
