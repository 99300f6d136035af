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
  created_at: dateTime('The timestamp when the site was created.', '2025-10-29T12:00:00Z', false),
  updated_at: dateTime('The timestamp when the site was last changed.', '2025-10-29T12:00:00Z', false),
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
      enum: ['created', 'delivered', 'lease_expired', 'started', 'completed', 'failed', 'cancelled', 'timed_out'],
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
      ],
      responses: { '200': text('`claimed` for busy, `ok` for done/fail.', 'claimed'), ...errors(400, 403, 404, 409) },
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
      { name: 'Device', description: 'Endpoints the router itself calls.' },
      { name: 'Meta', description: 'Documents and health.' },
    ],
    paths: { ...sitePaths, ...jobPaths, ...devicePaths, ...metaPaths },
    components: { schemas, responses, securitySchemes },
  };
}
