import { errorRegistry } from '../errors.js';

// The OpenAPI 3.0.3 description of every route the app serves, served at GET /openapi.json.
// The `Job` schema keeps the seed's (Altostrat's) field names, types, formats and nullable flags
// exactly; tikops' additive fields come after them. Response objects are closed
// (additionalProperties: false) so test/support/openapi.ts catches any drift from the code.

type Obj = Record<string, unknown>;

const ref = (name: string): Obj => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Obj): Obj => ({ 'application/json': { schema } });
const ok = (description: string, schema: Obj): Obj => ({ description, content: json(schema) });
const text = (description: string, example?: string): Obj => ({
  description,
  content: { 'text/plain': { schema: { type: 'string', ...(example === undefined ? {} : { example }) } } },
});

const errorResponseNames = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  410: 'Gone',
  413: 'PayloadTooLarge',
  415: 'UnsupportedMediaType',
  500: 'ServerError',
  503: 'ServiceUnavailable',
} as const;
type ErrorStatus = keyof typeof errorResponseNames;

/** The listed error responses plus the 500 and 503 any API route can answer with. */
function errors(...statuses: ErrorStatus[]): Obj {
  const all: ErrorStatus[] = [...statuses, 500, 503];
  return Object.fromEntries(all.map((s) => [String(s), { $ref: `#/components/responses/${errorResponseNames[s]}` }]));
}

const errorResponse = (description: string): Obj => ({ description, content: json(ref('ErrorResponse')) });

const uuidParam = (name: string, description: string): Obj => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: { type: 'string', format: 'uuid' },
});
const siteIdParam = uuidParam('siteId', 'The UUID of the site.');
const jobIdParam = uuidParam('jobId', 'The UUID of the job.');

const dateTime = (description: string, example: string | null, nullable = true): Obj => ({
  type: 'string',
  format: 'date-time',
  ...(nullable ? { nullable: true } : {}),
  description,
  example,
});

const jobProperties: Obj = {
  // The seed's 15 fields, verbatim.
  id: { type: 'string', format: 'uuid', description: 'The unique identifier (UUID) for the job.', example: '8b8b2e5e-1a19-4a19-8b19-1e1919191919' },
  token: { type: 'string', description: 'A short, unique, human-readable token for the job, often used in log filtering.', example: '2jP5kLqWnZ' },
  site_id: { type: 'string', format: 'uuid', description: 'The ID of the site this job is targeted for.', example: '9a9a3e6f-1b1a-4b1a-8c1a-1e1a1a1a1a1a' },
  idempotency_key: { type: 'string', format: 'uuid', description: 'A unique key provided by the client to prevent duplicate job creation.', example: '7c7c1e4e-1918-4918-8a18-1e1818181818' },
  description: { type: 'string', description: "A human-readable description of the job's purpose.", example: 'Add new firewall rule for guest network' },
  express_execute: { type: 'boolean', description: 'If `true`, the platform will attempt to trigger an immediate check-in from the device to execute this job sooner.', example: false },
  needs_acknowledgement: { type: 'boolean', description: 'If `true`, the job requires an explicit success/fail notification from the device to be marked as complete.', example: true },
  should_backup: { type: 'boolean', description: 'If `true`, a configuration backup was automatically created before this job was queued.', example: true },
  associated_backup: { type: 'string', nullable: true, description: 'The path to the configuration backup file associated with this job, if one was created.', example: '9a9a3e6f-1b1a-4b1a-8c1a-1e1a1a1a1a1a/1667888400.rsc' },
  started_at: dateTime('The timestamp when the device started executing the job.', '2025-10-29T12:05:10Z'),
  completed_at: dateTime('The timestamp when the device reported successful completion of the job.', null),
  failed_at: dateTime('The timestamp when the device reported a failure during job execution.', null),
  created_at: dateTime('The timestamp when the job was created.', '2025-10-29T12:00:00Z', false),
  log_url: { type: 'string', description: "A relative URL to the Altostrat SDX UI to view logs related to this job's execution.", example: 'logs?group=sites&streams=9a9a...&start=...&end=...&filter={$.message=*2jP5kLqWnZ*}' },
  script: { type: 'string', description: 'The raw RouterOS script payload of the job.', example: '/ip firewall filter add chain=forward action=accept src-address-list=guests' },
  // tikops' additive fields.
  status: {
    type: 'string',
    enum: ['queued', 'delivered', 'started', 'completed', 'failed', 'cancelled', 'timed_out'],
    description: "The job's lifecycle state (tikops addition).",
    example: 'started',
  },
  delivered_at: dateTime('The timestamp when the job was last handed to the router by a poll (tikops addition).', '2025-10-29T12:05:02Z'),
  cancelled_at: dateTime('The timestamp when the job was cancelled before delivery (tikops addition).', null),
  timed_out_at: dateTime('The timestamp when a started job was settled as timed out: no final callback before its timeout, or the router rebooted mid-job (tikops addition).', null),
  notify_url: { type: 'string', nullable: true, description: 'The callback URL given with the JSON form, if any (tikops addition).', example: null },
  lease_seconds: { type: 'integer', description: 'How long a delivery may stay unclaimed before the job may be handed out again (tikops addition).', example: 120 },
  timeout_seconds: { type: 'integer', description: 'How long a claimed job may run before it is settled as timed out (tikops addition).', example: 900 },
};

const siteProperties: Obj = {
  id: { type: 'string', format: 'uuid', description: 'The unique identifier (UUID) for the site.' },
  name: { type: 'string', description: 'A human-readable name for the router.', example: 'Branch office' },
  has_pulse: { type: 'boolean', description: 'Whether the router is online: its last heartbeat is younger than OFFLINE_AFTER_MISSED heartbeat intervals.', example: true },
  last_seen_at: dateTime('When the last heartbeat arrived; null if the router never checked in.', '2025-10-29T12:04:30Z'),
  last_seen_from: { type: 'string', nullable: true, description: 'The source address of the last heartbeat.', example: '198.51.100.7' },
  identity: { type: 'string', nullable: true, description: 'The router\'s `/system identity` name, as it last reported it.', example: 'HQ-Router' },
  model: { type: 'string', nullable: true, example: 'RB5009UG+S+' },
  board_name: { type: 'string', nullable: true, example: 'RB5009UG+S+' },
  serial_number: { type: 'string', nullable: true, description: 'Adoption finds a router again by this within the organisation.', example: 'HEX0123456' },
  routerboard: { type: 'boolean', nullable: true, description: 'False on CHR and x86.', example: true },
  hardware_hash: { type: 'string', nullable: true, pattern: '^[0-9a-f]{40}$', description: 'Changes when the hardware behind the site changes (SHA-1 of model, board, serial number and architecture); null without a serial number.' },
  architecture_name: { type: 'string', nullable: true, example: 'arm64' },
  software_version: { type: 'string', nullable: true, example: '7.16.2 (stable)' },
  software_id: { type: 'string', nullable: true, example: 'ABCD-EFGH' },
  runbook_id: { type: 'string', format: 'uuid', nullable: true, description: 'The runbook that adopted the router (tikops addition); null for sites created by hand.' },
  created_at: dateTime('The timestamp when the site was created.', '2025-10-29T12:00:00Z', false),
  updated_at: dateTime('The timestamp when the site was last changed.', '2025-10-29T12:00:00Z', false),
  deleted_at: dateTime('When the site was deleted; it is purged when the router confirms, or at purge_at.', null),
  purge_at: dateTime('When a deleted site is purged even without the router\'s confirmation (tikops addition).', null),
};

const managementFields: Record<string, Obj> = {
  address: { type: 'string', minLength: 1, maxLength: 253, description: "The router's host name or IP address as tikops reaches it (often a VPN or private address).", example: '100.64.12.7' },
  port: { type: 'integer', minimum: 1, maximum: 65535, example: 443 },
  use_tls: { type: 'boolean', default: true, description: 'HTTPS (www-ssl) rather than HTTP (www).' },
  verify_tls: { type: 'boolean', default: true, description: "Verify the router's certificate (against ca_pem when given, else the system CAs)." },
  ca_pem: { type: 'string', nullable: true, maxLength: 16384, default: null, description: "PEM certificate(s) to trust for the router's certificate; only with use_tls." },
  username: { type: 'string', minLength: 1, maxLength: 100, description: 'RouterOS user with the rest-api policy (and what the poll script needs).', example: 'tikops-express' },
  poll_script_name: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$', default: 'tikops-poll', description: 'The installed poll script to run.' },
};

const closed = (description: string, properties: Obj): Obj => ({
  type: 'object',
  description,
  properties,
  required: Object.keys(properties),
  additionalProperties: false,
});

const errorCodes = Object.keys(errorRegistry);
const errorTypes = [...new Set(Object.values(errorRegistry).map((e) => e.type))];

const schemas: Obj = {
  Job: closed('An asynchronous command or script to be executed on a Site.', jobProperties),
  JobEvent: closed('One step in the life of a job.', {
    type: {
      type: 'string',
      enum: ['created', 'delivered', 'lease_expired', 'started', 'completed', 'failed', 'cancelled', 'timed_out',
        'express_requested', 'express_succeeded', 'express_failed', 'backup_stored', 'backup_failed'],
    },
    attempt: { type: 'integer', minimum: 0, description: 'The delivery attempt the event belongs to.' },
    at: dateTime('When the event happened.', '2025-10-29T12:05:10Z', false),
    detail: { description: 'Event-specific JSON details, or null.' },
  }),
  Site: closed('A MikroTik router managed by tikops.', siteProperties),
  SiteWithToken: closed('A site with its device token, shown only when created or rotated.', {
    ...siteProperties,
    token: { type: 'string', description: 'The device token the router sends as `Authorization: Bearer` on /poll. Shown once.' },
  }),
  AsyncJobAccepted: closed('A job queued through the developer API.', {
    status: { type: 'string', enum: ['success'] },
    data: closed('The queued job.', {
      idempotency_key: { type: 'string', format: 'uuid', example: 'f9e2b0a1-7f12-4d35-9c86-7ebfe33ac18b' },
      request_id: { type: 'string', format: 'uuid', description: 'The job id.', example: '5f9475ef-565f-5d10-8a86-4c7f5fdb2687' },
      target: { type: 'string', format: 'uuid', description: 'The site id.', example: '9c69345c-8d39-4786-9f17-8153c988c89a' },
      notify_url: { type: 'string', nullable: true, example: 'https://example.com/sdx/job-complete' },
      date: { type: 'string', format: 'date-time', example: '2026-04-20T03:14:15+00:00' },
    }),
  }),
  ManagementEndpoint: closed("A site's management endpoint: the router's RouterOS REST API, used by express execute. The password is never returned.", {
    site_id: { type: 'string', format: 'uuid' },
    ...managementFields,
    has_password: { type: 'boolean', enum: [true], description: 'A password is stored (sealed); it is write-only.' },
    created_at: dateTime('When the endpoint was first set.', '2025-10-29T12:00:00Z', false),
    updated_at: dateTime('When the endpoint was last set.', '2025-10-29T12:00:00Z', false),
  }),
  WebhookDelivery: closed("One job event announced to the job's notify_url (tikops addition), with every attempt at it.", {
    id: { type: 'string', pattern: '^evt_[0-9]+$', description: 'The delivery id, sent as `id` and `Tikops-Delivery`; the same on every attempt. Receivers dedupe on it.', example: 'evt_1042' },
    type: { type: 'string', enum: ['job.delivered', 'job.started', 'job.completed', 'job.failed', 'job.cancelled', 'job.timed_out'] },
    created_at: dateTime('When the job event happened.', '2025-10-29T12:05:10Z', false),
    state: {
      type: 'string',
      enum: ['pending', 'delivered', 'retrying', 'gave_up', 'refused'],
      description: '`pending` before the first attempt, else the outcome of the latest attempt. `retrying` waits for the next one.',
    },
    attempts: { type: 'array', description: 'Every attempt, oldest first.', items: ref('WebhookAttempt') },
  }),
  WebhookAttempt: closed('One HTTP attempt at a webhook delivery.', {
    attempt: { type: 'integer', minimum: 1 },
    at: dateTime('When the attempt ended.', '2025-10-29T12:05:11Z', false),
    url: { type: 'string', description: 'The notify_url posted to.' },
    status_code: { type: 'integer', nullable: true, description: "The receiver's HTTP status; null when no response arrived (refused, network error, timeout).", example: 500 },
    duration_ms: { type: 'integer', minimum: 0 },
    error: { type: 'string', nullable: true, description: 'Why the attempt failed; null when delivered.', example: 'HTTP 500: Internal Server Error' },
    outcome: {
      type: 'string',
      enum: ['delivered', 'retrying', 'gave_up', 'refused'],
      description: '`delivered` (2xx), `retrying` (another attempt follows), `gave_up` (the last attempt of the retry window failed), `refused` (the destination is outside the outbound policy; never retried).',
    },
  }),
  Backup: closed('A stored configuration export (`/export terse show-sensitive`) of a site.', {
    filename: { type: 'string', pattern: '^[0-9]{1,12}\\.rsc$', description: 'The backup id within the site: `<unix-seconds>.rsc`.', example: '1732567800.rsc' },
    path: { type: 'string', description: "The storage path, as in a job's `associated_backup`.", example: '9a9a3e6f-1b1a-4b1a-8c1a-1e1a1a1a1a1a/1732567800.rsc' },
    size: { type: 'integer', minimum: 0, description: 'Bytes.', example: 12598 },
    sha256: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'Hex SHA-256 of the content (also its ETag).' },
    job_id: { type: 'string', format: 'uuid', nullable: true, description: 'The job whose pre-job step made it; null once that job is gone.' },
    created_at: dateTime('When the backup was stored.', '2025-10-29T12:50:00Z', false),
  }),
  BackupRequested: closed('An on-demand backup was queued as a backup-only job.', {
    message: { type: 'string', enum: ['Backup requested'] },
    job: { type: 'string', format: 'uuid', description: 'The backup job; follow it with GET /site/{siteId}/job/{jobId}.' },
  }),
  Runbook: closed('An onboarding profile: its bootstrap command adopts a router into the organisation.', {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string', example: 'Branch routers' },
    token: { type: 'string', pattern: '^[0-9A-Za-z]{22}$', description: 'Base62 of 128 random bits; the credential inside the bootstrap command.', example: '4KuKNp3QzpfwLcg3BUnn1a' },
    bootstrap_command: { type: 'string', description: 'The one line to paste into a RouterOS v6 (6.43+) or v7 terminal. See docs/onboarding.md.', example: '/tool fetch url="https://tikops.example.net/bootstrap/4KuKNp3QzpfwLcg3BUnn1a" dst-path="tikops-bootstrap.rsc"; /import file-name="tikops-bootstrap.rsc"' },
    created_at: dateTime('When the runbook was created.', '2025-10-29T12:00:00Z', false),
    revoked_at: dateTime('When the runbook was revoked; it adopts no router after that.', null),
  }),
  Fault: closed('A health fault of a site.', {
    id: { type: 'string', format: 'uuid' },
    site_id: { type: 'string', format: 'uuid' },
    type: { type: 'string', enum: ['site_offline', 'site_rebooted'] },
    status: { type: 'string', enum: ['unresolved', 'resolved'] },
    severity: { type: 'string', enum: ['critical', 'low'] },
    message: { type: 'string', example: 'Site Offline: HQ-Router' },
    cause: { type: 'string', example: 'Disconnected' },
    created_at: dateTime('When the fault began: for site_offline the first missed heartbeat.', '2025-10-29T12:05:00Z', false),
    resolved_at: dateTime('When it ended (the next heartbeat); a reboot is resolved when it is recorded.', null),
    detected_at: dateTime('When tikops recorded it (an outage is noticed OFFLINE_AFTER_MISSED intervals after it began).', '2025-10-29T12:09:30Z', false),
    duration_seconds: { type: 'integer', minimum: 0, description: 'How long it lasted, or has lasted so far.' },
  }),
  StatPoint: closed('Resource figures from heartbeats: one sample, or an hourly average for ranges over 48 hours.', {
    created_at: dateTime('The sample time, or the start of the hour.', '2025-10-29T12:00:00Z', false),
    cpu_load: { type: 'integer', nullable: true, description: 'Percent.', example: 3 },
    memory_free: { type: 'integer', nullable: true, description: 'Bytes.', example: 850000000 },
    disk_free: { type: 'integer', nullable: true, description: 'Bytes.', example: 900000000 },
    uptime: { type: 'integer', nullable: true, description: 'Seconds (the highest of the hour when aggregated).', example: 93338 },
  }),
  SiteMetrics: closed('Availability over the last 24 hours (or since the site was created).', {
    uptime_percentage: { type: 'number', minimum: 0, maximum: 100, example: 99.98 },
    downtime_duration_seconds: { type: 'integer', minimum: 0, example: 17 },
    last_status: { type: 'string', enum: ['online', 'offline'] },
    last_seen_at: dateTime('When the last heartbeat arrived.', '2025-10-29T12:04:30Z'),
  }),
  Health: closed('Liveness of the API process.', { status: { type: 'string', enum: ['ok'] } }),
  ErrorResponse: closed('The error envelope of every error response.', {
    type: { type: 'string', enum: errorTypes, description: "A broad category for the error (e.g., 'invalid_request_error').", example: 'invalid_request_error' },
    code: { type: 'string', enum: errorCodes, description: 'A short, unique string identifying the specific error.', example: 'parameter_invalid' },
    message: { type: 'string', description: 'A human-readable description of what went wrong.', example: "The 'X-Description' parameter is required for this request." },
    doc_url: { type: 'string', description: 'A direct link to the documentation page for this specific error code.', example: 'https://tikops.example.net/docs/errors#parameter_invalid' },
  }),
};

const responses: Obj = {
  BadRequest: errorResponse('Bad Request - The request was malformed or invalid. Check the response body for details.'),
  Unauthorized: errorResponse('Unauthorized - The bearer token is missing, invalid or expired.'),
  Forbidden: errorResponse('Forbidden - The callback signature is invalid.'),
  NotFound: errorResponse('Not Found - The site or job does not exist (or belongs to another organisation).'),
  Conflict: errorResponse('Conflict - The request conflicts with the current state of the resource.'),
  Gone: errorResponse('Gone - The runbook was revoked.'),
  PayloadTooLarge: errorResponse('Payload Too Large - The request body is over the configured limit.'),
  UnsupportedMediaType: errorResponse('Unsupported Media Type - Send the body as application/json.'),
  ServerError: errorResponse('Internal Server Error - An unexpected error occurred on the server.'),
  ServiceUnavailable: errorResponse('Service Unavailable - A backing service is unavailable; retry later.'),
};

const securitySchemes: Obj = {
  BearerAuth: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'Authenticate requests by providing a JSON Web Token (JWT) in the `Authorization` header. Example: `Authorization: Bearer <YOUR_JWT>`',
  },
  DeviceToken: {
    type: 'http',
    scheme: 'bearer',
    description: 'The opaque device token returned by POST /site and POST /site/{siteId}/token. Used by the router on /poll.',
  },
};

const headerBool = (name: string, description: string): Obj => ({ name, in: 'header', description, schema: { type: 'boolean' } });

const createJob: Obj = {
  tags: ['Jobs'],
  operationId: 'createSiteJob',
  summary: 'Create a Job for a Site',
  description: "Creates and queues a new job to be executed on the specified site. The job's payload is a raw RouterOS script, and metadata is provided via headers. Replaying the same X-Idempotency-Key with the same script and options returns the original job with 200; reusing it with different ones is a 409.",
  parameters: [
    uuidParam('siteId', 'The UUID of the site to target.'),
    {
      name: 'X-Idempotency-Key',
      in: 'header',
      required: true,
      description: 'A unique UUID provided by the client to ensure that the request is processed only once.',
      schema: { type: 'string', format: 'uuid' },
    },
    {
      name: 'X-Description',
      in: 'header',
      required: true,
      description: "A human-readable description of the job's purpose.",
      schema: { type: 'string', minLength: 3, maxLength: 100 },
    },
    headerBool('X-Needs-Ack', "(Default: true) Set to `false` if the job should be considered complete as soon as it's sent to the device, without waiting for a success/fail response."),
    headerBool('X-Backup', '(Default: false) Set to `true` to automatically create a configuration backup of the site before executing this job.'),
    headerBool('X-Express-Execute', '(Default: false) Set to `true` to attempt to trigger an immediate device check-in for faster job execution.'),
    { name: 'X-Lease-Seconds', in: 'header', required: false, description: '(tikops) How long a delivery may stay unclaimed before the job is handed out again; default JOB_LEASE_SECONDS.', schema: { type: 'integer', minimum: 5, maximum: 86400 } },
    { name: 'X-Timeout-Seconds', in: 'header', required: false, description: '(tikops) How long a claimed job may run before it is settled as timed out; default JOB_TIMEOUT_SECONDS.', schema: { type: 'integer', minimum: 10, maximum: 604800 } },
  ],
  requestBody: {
    required: true,
    description: 'The raw RouterOS script to be executed on the device.',
    content: { 'text/plain': { schema: { type: 'string', example: '/ip address add address=192.168.99.1/24 interface=ether2' } } },
  },
  responses: {
    '200': ok('Idempotent replay - the job created earlier with this X-Idempotency-Key.', ref('Job')),
    '201': ok('The job was successfully created.', ref('Job')),
    ...errors(400, 401, 404, 409, 413),
  },
};

const createAsyncJob: Obj = {
  tags: ['Developer API'],
  operationId: 'queueAsynchronousScript',
  summary: 'Queue an asynchronous RouterOS script',
  description: 'Queues a RouterOS script for execution on a managed site (JSON form). Without X-Idempotency-Key the server generates one.',
  parameters: [
    uuidParam('siteId', 'The target site/router UUID.'),
    {
      name: 'X-Idempotency-Key',
      in: 'header',
      required: false,
      description: 'Optional client UUID; a replay with the same body returns the same job.',
      schema: { type: 'string', format: 'uuid' },
    },
  ],
  requestBody: {
    required: true,
    content: json({
      type: 'object',
      required: ['description', 'script'],
      additionalProperties: false,
      properties: {
        description: { type: 'string', minLength: 3, maxLength: 100, example: 'Add guest network address' },
        script: { type: 'string', example: '/ip address add address=192.168.99.1/24 interface=bridge' },
        make_backup: { type: 'boolean', default: false, description: 'Create a configuration backup before running the script.' },
        express_execute: { type: 'boolean', default: false, description: 'Ask for a faster device check-in where possible.' },
        needs_acknowledgement: { type: 'boolean', default: false, description: 'Require the device job to acknowledge completion.' },
        notify_url: { type: 'string', format: 'uri', maxLength: 2048, nullable: true, default: null, description: 'Optional callback URL for job status notification.', example: 'https://example.com/sdx/job-complete' },
        lease_seconds: { type: 'integer', minimum: 5, maximum: 86400, description: '(tikops) Unclaimed-delivery lease; default JOB_LEASE_SECONDS.' },
        timeout_seconds: { type: 'integer', minimum: 10, maximum: 604800, description: '(tikops) Run timeout once claimed; default JOB_TIMEOUT_SECONDS.' },
      },
    }),
  },
  responses: { '200': ok('The job was accepted for asynchronous execution.', ref('AsyncJobAccepted')), ...errors(400, 401, 404, 409, 413, 415) },
};

const sitePaths: Obj = {
  '/site': {
    post: {
      tags: ['Sites'],
      operationId: 'createSite',
      summary: 'Create a site',
      requestBody: {
        required: true,
        content: json({
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: { name: { type: 'string', minLength: 1, maxLength: 100 } },
        }),
      },
      responses: { '201': ok('The site, with its device token.', ref('SiteWithToken')), ...errors(400, 401, 413, 415) },
    },
    get: {
      tags: ['Sites'],
      operationId: 'listSites',
      summary: "List the organisation's sites",
      responses: { '200': ok('The sites.', { type: 'array', items: ref('Site') }), ...errors(401) },
    },
  },
  '/site/{siteId}': {
    get: {
      tags: ['Sites'],
      operationId: 'getSite',
      summary: 'Retrieve a site',
      parameters: [siteIdParam],
      responses: { '200': ok('The site.', ref('Site')), ...errors(400, 401, 404) },
    },
    delete: {
      tags: ['Sites'],
      operationId: 'deleteSite',
      summary: 'Delete a site',
      description: 'Schedules the site for deletion: a job makes the router confirm (POST /notify/delete, which purges the site) and remove its agent; without confirmation the site is purged at purge_at (SITE_DELETE_GRACE_HOURS). Repeating it changes nothing.',
      parameters: [siteIdParam],
      responses: { '202': ok('The site, with deleted_at and purge_at set.', ref('Site')), ...errors(400, 401, 404) },
    },
  },
  '/site/{siteId}/token': {
    post: {
      tags: ['Sites'],
      operationId: 'rotateSiteToken',
      summary: 'Rotate the device token',
      description: 'Issues a new device token; every earlier token of the site stops working at once.',
      parameters: [siteIdParam],
      responses: { '200': ok('The site, with its new device token.', ref('SiteWithToken')), ...errors(400, 401, 404) },
    },
  },
};

const jobPaths: Obj = {
  '/site/{siteId}/job': {
    post: createJob,
    get: {
      tags: ['Jobs'],
      operationId: 'listSiteJobs',
      summary: 'List jobs for a site',
      description: 'Jobs ordered by creation date (most recent first). Pass the X-Next-Cursor value as `cursor` for the next page.',
      parameters: [
        siteIdParam,
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
        { name: 'cursor', in: 'query', description: 'The X-Next-Cursor of the previous page.', schema: { type: 'string', pattern: '^[0-9]{1,19}$' } },
      ],
      responses: {
        '200': {
          description: 'A list of jobs for the site.',
          headers: {
            'X-Next-Cursor': { description: 'Present when there is another page: its cursor.', schema: { type: 'string' } },
            Link: { description: 'Present when there is another page: `<…>; rel="next"`.', schema: { type: 'string' } },
          },
          content: json({ type: 'array', items: ref('Job') }),
        },
        ...errors(400, 401, 404),
      },
    },
  },
  '/site/{siteId}/job/{jobId}': {
    get: {
      tags: ['Jobs'],
      operationId: 'getSiteJob',
      summary: 'Retrieve a job',
      parameters: [siteIdParam, jobIdParam],
      responses: { '200': ok('The job.', ref('Job')), ...errors(400, 401, 404) },
    },
    delete: {
      tags: ['Jobs'],
      operationId: 'cancelSiteJob',
      summary: 'Cancel a pending job',
      description: 'Cancels a job the router has not been handed yet. Repeating it returns the cancelled job.',
      parameters: [siteIdParam, jobIdParam],
      responses: { '200': ok('The cancelled job.', ref('Job')), ...errors(400, 401, 404, 409) },
    },
  },
  '/site/{siteId}/job/{jobId}/events': {
    get: {
      tags: ['Jobs'],
      operationId: 'listSiteJobEvents',
      summary: "List a job's events",
      parameters: [siteIdParam, jobIdParam],
      responses: { '200': ok('The events, oldest first.', { type: 'array', items: ref('JobEvent') }), ...errors(400, 401, 404) },
    },
  },
  '/api/asynchronous/{siteId}': { post: createAsyncJob },
};

const devicePaths: Obj = {
  '/poll': {
    post: {
      tags: ['Device'],
      operationId: 'poll',
      summary: 'Router check-in',
      description: "The router's heartbeat; answers with the next job's wrapped script, or an empty body.",
      security: [{ DeviceToken: [] }],
      requestBody: {
        required: true,
        content: { 'text/plain': { schema: { type: 'string', example: 'name=MyDevice;serial-number=ABC123XYZ;uptime=2d0h5m10s;cpu-load=10;' } } },
      },
      responses: { '200': text('OK. The next pending job script for the device to execute, or empty.'), ...errors(400, 401, 413) },
    },
  },
  '/job/{jobId}/update': {
    get: {
      tags: ['Device'],
      operationId: 'jobCallback',
      summary: "The router's signed job callback",
      security: [],
      parameters: [
        jobIdParam,
        { name: 'status', in: 'query', required: true, schema: { type: 'string', enum: ['busy', 'done', 'fail'] } },
        { name: 'attempt', in: 'query', required: true, schema: { type: 'integer', minimum: 1, maximum: 2147483647 } },
        { name: 'signature', in: 'query', required: true, schema: { type: 'string', minLength: 1, maxLength: 128 } },
        { name: 'reason', in: 'query', required: false, description: 'Unsigned, with status=fail only: `backup` = the pre-job backup step failed (docs/backups.md).', schema: { type: 'string', enum: ['backup'] } },
      ],
      responses: { '200': text('`claimed` for busy, `ok` for done/fail.', 'claimed'), ...errors(400, 403, 404, 409) },
    },
  },
  ...backupDevicePaths(),
};

/** The router's signed pre-job backup upload (docs/backups.md). */
function backupDevicePaths(): Obj {
  const q = (name: string, schema: Obj, description?: string): Obj => ({ name, in: 'query', required: true, description, schema });
  const signed = [jobIdParam, q('attempt', { type: 'integer', minimum: 1, maximum: 2147483647 }), q('signature', { type: 'string', minLength: 1, maxLength: 128 })];
  return {
    '/job/{jobId}/backup': {
      post: {
        tags: ['Device'],
        operationId: 'uploadBackupPart',
        summary: 'Upload one part of a pre-job backup',
        description: 'The raw body (any Content-Type) is bytes `[part × 32000, …)` of the export. Only the claimed delivery (attempt) of a job with a backup step may upload; a repeated part replaces the earlier one.',
        security: [],
        parameters: [...signed, q('part', { type: 'integer', minimum: 0, maximum: 1023 }, '0-based part index (not signed).')],
        requestBody: { required: true, content: { 'text/plain': { schema: { type: 'string', maxLength: 65536 } } } },
        responses: { '200': text('`ok`.', 'ok'), ...errors(400, 403, 404, 409, 413) },
      },
    },
    '/job/{jobId}/backup/commit': {
      post: {
        tags: ['Device'],
        operationId: 'commitBackup',
        summary: 'Commit a pre-job backup',
        description: "Stores the backup if parts 0…parts-1 arrived and add up to `length` bytes, and sets the job's `associated_backup`; the wrapper runs the payload only on the body `stored`. Otherwise the job fails (409 backup_incomplete).",
        security: [],
        parameters: [...signed, q('parts', { type: 'integer', minimum: 0, maximum: 1024 }), q('length', { type: 'integer', minimum: 0, maximum: 2147483647 })],
        responses: { '200': text('`stored`.', 'stored'), ...errors(400, 403, 404, 409) },
      },
    },
  };
}

const filenameParam: Obj = { name: 'filename', in: 'path', required: true, description: 'The backup filename, `<unix-seconds>.rsc`.', schema: { type: 'string', pattern: '^[0-9]{1,12}\\.rsc$' } };

const backupPaths: Obj = {
  '/site/{siteId}/backup': {
    get: {
      tags: ['Backups'],
      operationId: 'listSiteBackups',
      summary: "List a site's backups",
      parameters: [siteIdParam, { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } }],
      responses: { '200': ok('The backups, newest first.', { type: 'array', items: ref('Backup') }), ...errors(400, 401, 404) },
    },
    post: {
      tags: ['Backups'],
      operationId: 'requestSiteBackup',
      summary: 'Request a backup now',
      description: "Queues a backup-only job (should_backup, empty script) for the site's next poll. Replaying the same X-Idempotency-Key returns the same job.",
      parameters: [siteIdParam, { name: 'X-Idempotency-Key', in: 'header', required: false, schema: { type: 'string', format: 'uuid' } }],
      responses: { '202': ok('The backup job was queued.', ref('BackupRequested')), ...errors(400, 401, 404, 409) },
    },
  },
  '/site/{siteId}/backup/{filename}': {
    get: {
      tags: ['Backups'],
      operationId: 'getSiteBackup',
      summary: 'Download a backup',
      parameters: [siteIdParam, filenameParam],
      responses: { '200': text('The exact export the router uploaded.'), ...errors(400, 401, 404) },
    },
  },
};

const managementPaths: Obj = {
  '/site/{siteId}/management': {
    put: {
      tags: ['Sites'],
      operationId: 'setSiteManagement',
      summary: 'Set the management endpoint',
      description: "Creates or replaces the router's RouterOS REST endpoint that express execute calls (`POST /rest/execute` running the poll script). A full replacement: send the password every time; it is stored sealed and never returned.",
      parameters: [siteIdParam],
      requestBody: {
        required: true,
        content: json({
          type: 'object',
          required: ['address', 'username', 'password'],
          additionalProperties: false,
          properties: {
            ...managementFields,
            port: { ...managementFields.port as Obj, description: 'TCP port of the REST API (www-ssl or www). Default 443 with TLS, 80 without.' },
            password: { type: 'string', minLength: 1, maxLength: 256, description: 'Password of the RouterOS user; write-only.' },
          },
        }),
      },
      responses: { '200': ok('The endpoint, without the password.', ref('ManagementEndpoint')), ...errors(400, 401, 404, 413, 415) },
    },
    get: {
      tags: ['Sites'],
      operationId: 'getSiteManagement',
      summary: 'Retrieve the management endpoint',
      parameters: [siteIdParam],
      responses: { '200': ok('The endpoint, without the password.', ref('ManagementEndpoint')), ...errors(400, 401, 404) },
    },
    delete: {
      tags: ['Sites'],
      operationId: 'deleteSiteManagement',
      summary: 'Remove the management endpoint',
      description: 'Express execute is then no longer possible for the site; removing an absent endpoint is harmless.',
      parameters: [siteIdParam],
      responses: { '204': { description: 'Removed.' }, ...errors(400, 401, 404) },
    },
  },
};

const webhookPaths: Obj = {
  '/site/{siteId}/job/{jobId}/deliveries': {
    get: {
      tags: ['Jobs'],
      operationId: 'listSiteJobDeliveries',
      summary: "List a job's notify_url webhook deliveries",
      description: 'One entry per job event sent to the notify_url (oldest first), each with its attempts. Empty when the job has no notify_url. See docs/webhooks.md.',
      parameters: [siteIdParam, jobIdParam],
      responses: { '200': ok('The deliveries, oldest event first.', { type: 'array', items: ref('WebhookDelivery') }), ...errors(400, 401, 404) },
    },
  },
};

const tokenParam: Obj = { name: 'runbookToken', in: 'path', required: true, description: "The runbook's token.", schema: { type: 'string' } };
const textBody = (example: string): Obj => ({ required: true, content: { 'text/plain': { schema: { type: 'string', example } } } });

const runbookPaths: Obj = {
  '/runbook': {
    post: {
      tags: ['Runbooks'],
      operationId: 'createRunbook',
      summary: 'Create a runbook',
      requestBody: {
        required: true,
        content: json({ type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string', minLength: 1, maxLength: 100 } } }),
      },
      responses: { '201': ok('The runbook, with its bootstrap command.', ref('Runbook')), ...errors(400, 401, 413, 415) },
    },
    get: {
      tags: ['Runbooks'],
      operationId: 'listRunbooks',
      summary: "List the organisation's runbooks",
      responses: { '200': ok('The runbooks, newest first.', { type: 'array', items: ref('Runbook') }), ...errors(401) },
    },
  },
  '/runbook/{runbookId}': {
    get: {
      tags: ['Runbooks'],
      operationId: 'getRunbook',
      summary: 'Retrieve a runbook',
      parameters: [uuidParam('runbookId', 'The UUID of the runbook.')],
      responses: { '200': ok('The runbook.', ref('Runbook')), ...errors(400, 401, 404) },
    },
    delete: {
      tags: ['Runbooks'],
      operationId: 'revokeRunbook',
      summary: 'Revoke a runbook',
      description: 'Its bootstrap command stops adopting routers. Routers it adopted keep working. Repeating it changes nothing.',
      parameters: [uuidParam('runbookId', 'The UUID of the runbook.')],
      responses: { '200': ok('The revoked runbook.', ref('Runbook')), ...errors(400, 401, 404) },
    },
  },
  '/bootstrap/{runbookToken}': {
    get: {
      tags: ['Device'],
      operationId: 'bootstrapScript',
      summary: 'The bootstrap script a router runs (stage 1 of adoption)',
      description: 'Fetched by the bootstrap command: gathers the router facts, POSTs them to /adopt/{runbookToken} and imports the answer.',
      security: [],
      parameters: [tokenParam],
      responses: { '200': text('A RouterOS script.'), ...errors(404, 410) },
    },
  },
  '/adopt/{runbookToken}': {
    post: {
      tags: ['Device'],
      operationId: 'adoptDevice',
      summary: 'Finish adoption',
      description: "Creates the router's site in the runbook's organisation, or finds it again by serial number (rotating its device token), and answers with the RouterOS script that installs the agent. The `version` fact is required (6.43 or newer).",
      security: [],
      parameters: [tokenParam],
      requestBody: textBody('name=HQ-Router;serial-number=HEX0123456;model=RB5009UG+S+;version=7.16.2 (stable);uptime=1d02:15:38;'),
      responses: { '200': text('The agent installer script.'), ...errors(400, 404, 410, 413) },
    },
  },
  '/notify/delete': {
    post: {
      tags: ['Device'],
      operationId: 'notifyDelete',
      summary: 'The router confirms the removal of its deleted site',
      description: 'Called by the removal job of a deleted site; purges the site at once. Its device token stops working.',
      security: [{ DeviceToken: [] }],
      responses: { '200': text('`ok`', 'ok'), ...errors(401, 409) },
    },
  },
};

const healthPaths: Obj = {
  '/site/{siteId}/faults': {
    get: {
      tags: ['Fleet health'],
      operationId: 'listSiteFaults',
      summary: "List a site's faults",
      parameters: [
        siteIdParam,
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 50 } },
        { name: 'status', in: 'query', schema: { type: 'string', enum: ['resolved', 'unresolved'] } },
      ],
      responses: { '200': ok('The faults, newest first.', { type: 'array', items: ref('Fault') }), ...errors(400, 401, 404) },
    },
  },
  '/site/{siteId}/stats': {
    get: {
      tags: ['Fleet health'],
      operationId: 'getSiteStats',
      summary: "A site's resource stats",
      description: 'Samples in [from, to) (default: the last 24 hours); ranges over 48 hours are aggregated per hour.',
      parameters: [
        siteIdParam,
        { name: 'from', in: 'query', description: 'ISO 8601 date-time or date.', schema: { type: 'string' } },
        { name: 'to', in: 'query', description: 'ISO 8601 date-time or date (default: now).', schema: { type: 'string' } },
      ],
      responses: { '200': ok('The points, oldest first.', { type: 'array', items: ref('StatPoint') }), ...errors(400, 401, 404) },
    },
  },
  '/site/{siteId}/metrics': {
    get: {
      tags: ['Fleet health'],
      operationId: 'getSiteMetrics',
      summary: "A site's availability over the last 24 hours",
      parameters: [siteIdParam],
      responses: { '200': ok('Uptime percentage and downtime.', ref('SiteMetrics')), ...errors(400, 401, 404) },
    },
  },
};

const metaPaths: Obj = {
  '/openapi.json': {
    get: { tags: ['Meta'], operationId: 'openapi', summary: 'This document', security: [], responses: { '200': ok('The OpenAPI document.', { type: 'object' }) } },
  },
  '/docs/errors': {
    get: {
      tags: ['Meta'],
      operationId: 'errorDocs',
      summary: 'The error code reference',
      security: [],
      responses: { '200': { description: 'docs/errors.md', content: { 'text/markdown': { schema: { type: 'string' } } } } },
    },
  },
  '/healthz': {
    get: { tags: ['Meta'], operationId: 'health', summary: 'Liveness probe', security: [], responses: { '200': ok('The process is up.', ref('Health')) } },
  },
  '/metrics': {
    get: {
      tags: ['Meta'],
      operationId: 'metrics',
      summary: 'Prometheus metrics of this API process',
      description: 'Polls, job transitions, HTTP latency, queue depth and lag. Requires `Authorization: Bearer <METRICS_TOKEN>` when METRICS_TOKEN is set.',
      security: [],
      responses: { '200': text('Prometheus text exposition format.'), ...errors(401) },
    },
  },
};

/** The OpenAPI 3.0.3 document of the API, with `publicUrl` as its only server. */
export function buildOpenapi(publicUrl: string): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: {
      title: 'tikops API',
      version: '1.0.0',
      description: 'Queues RouterOS scripts for MikroTik routers. Errors are `{type, code, message, doc_url}`; see GET /docs/errors.',
    },
    servers: [{ url: publicUrl }],
    security: [{ BearerAuth: [] }],
    tags: [
      { name: 'Sites', description: 'Routers managed by tikops.' },
      { name: 'Jobs', description: 'Create and manage asynchronous commands to be executed on Sites.' },
      { name: 'Developer API', description: 'Queue asynchronous RouterOS scripts (JSON form).' },
      { name: 'Backups', description: 'Configuration exports taken before jobs or on demand.' },
      { name: 'Runbooks', description: 'Onboarding profiles and their bootstrap commands.' },
      { name: 'Fleet health', description: 'Faults, resource stats and availability of sites.' },
      { name: 'Device', description: 'Endpoints the router itself calls.' },
      { name: 'Meta', description: 'Documents and health.' },
    ],
    paths: { ...sitePaths, ...managementPaths, ...jobPaths, ...webhookPaths, ...backupPaths, ...devicePaths, ...runbookPaths, ...healthPaths, ...metaPaths },
    components: { schemas, responses, securitySchemes },
  };
}
