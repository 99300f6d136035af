// The error registry: every stable error code the API can answer with, and its HTTP status and type.
// Services throw `new AppError(code, …)`; http/error-middleware.ts is the only place that turns an
// AppError into the wire shape {type, code, message, doc_url}. docs/errors.md lists every code
// (test/unit/errors.test.ts keeps the two in step).

export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'conflict_error'
  | 'rate_limit_error'
  | 'api_error';

interface ErrorSpec {
  status: number;
  type: ErrorType;
  message: string;
}

export const errorRegistry = {
  parameter_missing: { status: 400, type: 'invalid_request_error', message: 'A required parameter is missing.' },
  parameter_invalid: { status: 400, type: 'invalid_request_error', message: 'A parameter has an invalid value.' },
  json_invalid: { status: 400, type: 'invalid_request_error', message: 'The request body is not valid JSON.' },
  script_too_large: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The script is too large to deliver to a router once wrapped.',
  },
  heartbeat_invalid: { status: 400, type: 'invalid_request_error', message: 'The heartbeat body is malformed.' },
  body_too_large: { status: 413, type: 'invalid_request_error', message: 'The request body is too large.' },
  unsupported_media_type: {
    status: 415,
    type: 'invalid_request_error',
    message: 'The request body has an unsupported content type.',
  },
  authentication_required: {
    status: 401,
    type: 'authentication_error',
    message: 'Send a bearer token in the Authorization header.',
  },
  token_invalid: { status: 401, type: 'authentication_error', message: 'The bearer token is invalid or expired.' },
  device_token_invalid: {
    status: 401,
    type: 'authentication_error',
    message: 'The device token is invalid, revoked or belongs to a deleted site.',
  },
  signature_invalid: { status: 403, type: 'permission_error', message: 'The callback signature is invalid.' },
  insufficient_scope: {
    status: 403,
    type: 'permission_error',
    message: 'The credential lacks a scope this request requires.',
  },
  csrf_token_invalid: {
    status: 403,
    type: 'permission_error',
    message: 'A state-changing request made with the session cookie needs the session\'s X-CSRF-Token header.',
  },
  route_not_found: { status: 404, type: 'not_found_error', message: 'No such route.' },
  ui_not_built: {
    status: 404,
    type: 'not_found_error',
    message: 'The dashboard is not built: run `npm run build` (or set UI_DIR).',
  },
  site_not_found: { status: 404, type: 'not_found_error', message: 'No such site.' },
  job_not_found: { status: 404, type: 'not_found_error', message: 'No such job.' },
  management_not_configured: {
    status: 404,
    type: 'not_found_error',
    message: 'This site has no management endpoint configured.',
  },
  backup_not_found: { status: 404, type: 'not_found_error', message: 'No such backup.' },
  backup_schedule_not_found: { status: 404, type: 'not_found_error', message: 'No such backup schedule.' },
  runbook_not_found: { status: 404, type: 'not_found_error', message: 'No such runbook.' },
  api_key_not_found: { status: 404, type: 'not_found_error', message: 'No such API key.' },
  runbook_revoked: {
    status: 410,
    type: 'invalid_request_error',
    message: 'This runbook was revoked; create a new runbook for new adoptions.',
  },
  backup_requires_v7: {
    status: 409,
    type: 'conflict_error',
    message: 'Backups need RouterOS v7 and this site last reported RouterOS v6.',
  },
  site_deleting: {
    status: 409,
    type: 'conflict_error',
    message: 'The site is being deleted; it takes no new jobs.',
  },
  site_not_deleting: {
    status: 409,
    type: 'conflict_error',
    message: 'The site is not scheduled for deletion.',
  },
  method_not_allowed: { status: 405, type: 'invalid_request_error', message: 'This method is not allowed here.' },
  idempotency_key_reused: {
    status: 409,
    type: 'conflict_error',
    message: 'This idempotency key was already used with a different script or options.',
  },
  job_already_started: {
    status: 409,
    type: 'invalid_request_error',
    message: 'Cannot delete a job that has already started.',
  },
  claim_refused: {
    status: 409,
    type: 'conflict_error',
    message: 'This delivery of the job can no longer be claimed.',
  },
  backup_refused: {
    status: 409,
    type: 'conflict_error',
    message: 'This delivery of the job cannot upload a backup.',
  },
  backup_incomplete: {
    status: 409,
    type: 'conflict_error',
    message: "The backup's parts do not add up to the announced export.",
  },
  backup_too_large: { status: 413, type: 'invalid_request_error', message: 'The backup is larger than BACKUP_MAX_BYTES.' },
  rate_limited: {
    status: 429,
    type: 'rate_limit_error',
    message: 'Too many requests; retry after the number of seconds in the Retry-After header.',
  },
  internal_server_error: {
    status: 500,
    type: 'api_error',
    message: 'An internal server error occurred. Please try again later.',
  },
  service_unavailable: {
    status: 503,
    type: 'api_error',
    message: 'A backing service is unavailable. Please try again later.',
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof errorRegistry;

export interface AppErrorOptions {
  /** The request parameter at fault, named in the message. */
  param?: string;
  /** Overrides the registry's generic message. */
  message?: string;
  cause?: unknown;
}

/** A domain error with a stable code; mapped to HTTP only by the error middleware. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly param: string | undefined;

  constructor(code: ErrorCode, opts: AppErrorOptions = {}) {
    super(opts.message ?? errorRegistry[code].message, { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.param = opts.param;
  }

  get status(): number {
    return errorRegistry[this.code].status;
  }

  get type(): ErrorType {
    return errorRegistry[this.code].type;
  }
}
