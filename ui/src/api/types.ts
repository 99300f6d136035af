// The JSON shapes of the public API the dashboard reads (GET /openapi.json is the contract).

/** Every 4xx/5xx body: src/http/error-middleware.ts. */
export interface ApiErrorBody {
  type: string;
  code: string;
  message: string;
  doc_url: string;
}

export interface Site {
  id: string;
  name: string;
  has_pulse: boolean;
  last_seen_at: string | null;
  last_seen_from: string | null;
  identity: string | null;
  model: string | null;
  board_name: string | null;
  serial_number: string | null;
  routerboard: boolean | null;
  hardware_hash: string | null;
  architecture_name: string | null;
  software_version: string | null;
  software_id: string | null;
  runbook_id: string | null;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
  purge_at: string | null;
  /** A re-adoption waiting for (or given) an operator's approval (docs/onboarding.md). */
  readoption: { state: 'pending' | 'approved'; requested_at: string; requested_from: string | null; approved_until: string | null } | null;
  tags: string[];
  metadata: Record<string, string>;
}

export interface SiteWithToken extends Site {
  token: string;
}

export type JobStatus = 'queued' | 'delivered' | 'started' | 'completed' | 'failed' | 'cancelled' | 'timed_out' | 'awaiting_confirmation' | 'rolled_back';

export interface Job {
  id: string;
  token: string;
  site_id: string;
  idempotency_key: string;
  description: string;
  express_execute: boolean;
  needs_acknowledgement: boolean;
  should_backup: boolean;
  associated_backup: string | null;
  started_at: string | null;
  completed_at: string | null;
  failed_at: string | null;
  created_at: string;
  log_url: string;
  script: string;
  status: JobStatus;
  delivered_at: string | null;
  cancelled_at: string | null;
  timed_out_at: string | null;
  notify_url: string | null;
  lease_seconds: number;
  timeout_seconds: number;
  created_by: string | null;
  /** What the payload printed (RouterOS 7.15+); untrusted text. */
  output: string | null;
  /** The payload's error message on a failed job; untrusted text. */
  error: string | null;
  output_truncated: boolean;
  /** false: the router reported status only (RouterOS v6, 7.0–7.14); null: no outcome yet. */
  output_supported: boolean | null;
  rollback_after_seconds: number | null;
}

export interface JobEvent {
  type: string;
  attempt: number;
  at: string;
  detail: unknown;
}

export interface WebhookAttempt {
  attempt: number;
  at: string;
  url: string;
  status_code: number | null;
  duration_ms: number;
  error: string | null;
  outcome: 'delivered' | 'retrying' | 'gave_up' | 'refused';
}

export interface WebhookDelivery {
  id: string;
  type: string;
  created_at: string;
  state: 'pending' | 'delivered' | 'retrying' | 'gave_up' | 'refused';
  attempts: WebhookAttempt[];
}

export interface Backup {
  filename: string;
  path: string;
  size: number;
  sha256: string;
  job_id: string | null;
  created_at: string;
}

export interface Runbook {
  id: string;
  name: string;
  token: string;
  bootstrap_command: string;
  created_at: string;
  revoked_at: string | null;
}

export interface Fault {
  id: string;
  site_id: string;
  type: 'site_offline' | 'site_rebooted' | 'config_rolled_back';
  status: 'unresolved' | 'resolved';
  severity: 'critical' | 'low';
  message: string;
  cause: string;
  created_at: string;
  resolved_at: string | null;
  detected_at: string;
  duration_seconds: number;
}

export interface StatPoint {
  created_at: string;
  cpu_load: number | null;
  memory_free: number | null;
  disk_free: number | null;
  uptime: number | null;
}

export interface SiteMetrics {
  uptime_percentage: number | null;
  downtime_duration_seconds: number;
  last_status: 'online' | 'offline';
  last_seen_at: string | null;
}

export interface ManagementEndpoint {
  site_id: string;
  address: string;
  port: number;
  use_tls: boolean;
  verify_tls: boolean;
  ca_pem: string | null;
  username: string;
  poll_script_name: string;
  has_password: true;
  created_at: string;
  updated_at: string;
}

export interface ManagementInput {
  address: string;
  port?: number;
  use_tls: boolean;
  verify_tls: boolean;
  ca_pem: string | null;
  username: string;
  password: string;
  poll_script_name?: string;
}

/** One page of a cursor-paginated list: `next` is the cursor of the following page, if any. */
export interface Page<T> {
  items: T[];
  next: string | null;
}

/** GET /fleet/summary. */
export interface FleetSummary {
  sites: { total: number; online: number; offline: number };
  versions: { version: string | null; sites: number }[];
  open_faults: { site_offline: number; site_rebooted: number };
  jobs_last_24h: Record<JobStatus, number>;
  generated_at: string;
}

/** GET /audit. */
export interface AuditEvent {
  id: string;
  actor: string;
  action: string;
  target: string;
  request_id: string;
  source: string | null;
  summary: Record<string, unknown>;
  at: string;
}

/** GET /api-keys. */
export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  created_by: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface ApiKeyWithSecret extends ApiKey {
  secret: string;
}

/** GET /backup-schedules. */
export interface BackupSchedule {
  id: string;
  site_id: string | null;
  tag: string | null;
  cron: string;
  time_zone: string;
  spread_minutes: number;
  notify_url: string | null;
  next_run_at: string;
  last_run_at: string | null;
  created_by: string | null;
  created_at: string;
}

export type RolloutState = 'pending_approval' | 'scheduled' | 'running' | 'paused' | 'completed' | 'cancelled';
export type TargetState =
  | 'pending' | 'skipped_offline' | 'rejected' | 'cancelled'
  | 'queued' | 'delivered' | 'started' | 'awaiting_confirmation' | 'completed' | 'failed' | 'timed_out' | 'rolled_back';

/** GET /rollouts/{id}: src/rollouts/rollouts.schema.ts. */
export interface Rollout {
  id: string;
  description: string;
  script: string;
  targets: { site_ids?: string[]; tags?: string[]; query?: Record<string, unknown> };
  canary_site_ids: string[];
  make_backup: boolean;
  rollback_after_seconds: number | null;
  notify_url: string | null;
  batch_size: number;
  batch_interval_seconds: number;
  max_failures: number | null;
  max_failure_ratio: number | null;
  skip_offline: boolean;
  requires_approval: boolean;
  launch_at: string | null;
  state: RolloutState;
  pause_reason: string | null;
  batches: number;
  next_batch_at: string | null;
  created_by: string;
  approved_by: string | null;
  created_at: string;
  approved_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  counts: Record<TargetState, number> & { total: number };
}

export interface RolloutTarget {
  site_id: string;
  position: number;
  canary: boolean;
  batch: number | null;
  state: TargetState;
  job_id: string | null;
  reason: string | null;
}

/** POST /rollouts. */
export interface NewRollout {
  description: string;
  script: string;
  targets: { site_ids?: string[]; tags?: string[] };
  canary_site_ids: string[];
  batch_size: number;
  batch_interval_seconds: number;
  max_failures?: number;
  max_failure_ratio?: number;
  skip_offline: boolean;
  requires_approval: boolean;
  launch_at?: string;
  make_backup: boolean;
  rollback_after_seconds?: number;
}
