import { request } from './client';
import type {
  ApiKey, ApiKeyWithSecret, AuditEvent, Backup, BackupSchedule, Fault, FleetSummary, Job, JobEvent, ManagementEndpoint, ManagementInput, NewRollout, Page, Rollout, RolloutTarget, Runbook, Site, SiteMetrics,
  SiteWithToken, StatPoint, WebhookDelivery,
} from './types';

// Typed wrappers of the API routes the dashboard uses (src/*/*.routes.ts; GET /openapi.json).

const enc = encodeURIComponent;
const site = (id: string): string => `/site/${enc(id)}`;
const job = (siteId: string, jobId: string): string => `${site(siteId)}/job/${enc(jobId)}`;

/** GET /site's filters (src/sites/sites.schema.ts listSitesQuery); each one given narrows the list. */
export interface SiteFilters {
  q?: string;
  tag?: string;
  status?: 'online' | 'offline';
  version?: string;
  model?: string;
  has_open_fault?: 'true' | 'false';
}

/** One page of the organisation's sites, filtered by the API; `next` is X-Next-Cursor. */
export async function listSites(filters: SiteFilters, limit: number, cursor?: string): Promise<Page<Site>> {
  const { data, headers } = await request<Site[]>('GET', '/site', { query: { ...filters, limit, cursor } });
  return { items: data, next: headers.get('x-next-cursor') };
}
export const fleetSummary = async (): Promise<FleetSummary> => (await request<FleetSummary>('GET', '/fleet/summary')).data;
/** PATCH /site/{id}: replaces the tags. */
export const setSiteTags = async (id: string, tags: string[]): Promise<Site> =>
  (await request<Site>('PATCH', site(id), { json: { tags } })).data;
export const getSite = async (id: string): Promise<Site> => (await request<Site>('GET', site(id))).data;
export const approveReadoption = async (id: string): Promise<Site> =>
  (await request<Site>('POST', `${site(id)}/approve-readoption`)).data;
export const rotateToken = async (id: string): Promise<SiteWithToken> =>
  (await request<SiteWithToken>('POST', `${site(id)}/token`)).data;

export const siteMetrics = async (id: string): Promise<SiteMetrics> =>
  (await request<SiteMetrics>('GET', `${site(id)}/metrics`)).data;
/** Heartbeat samples of the last 24 hours, oldest first. */
export const siteStats = async (id: string): Promise<StatPoint[]> =>
  (await request<StatPoint[]>('GET', `${site(id)}/stats`)).data;
export const listFaults = async (id: string, status?: 'resolved' | 'unresolved'): Promise<Fault[]> =>
  (await request<Fault[]>('GET', `${site(id)}/faults`, { query: { limit: 100, status } })).data;

/** One page of a site's jobs, newest first; `next` comes from the X-Next-Cursor header. */
export async function listJobs(siteId: string, limit: number, cursor?: string): Promise<Page<Job>> {
  const { data, headers } = await request<Job[]>('GET', `${site(siteId)}/job`, { query: { limit, cursor } });
  return { items: data, next: headers.get('x-next-cursor') };
}
export const getJob = async (siteId: string, jobId: string): Promise<Job> =>
  (await request<Job>('GET', job(siteId, jobId))).data;
export const jobEvents = async (siteId: string, jobId: string): Promise<JobEvent[]> =>
  (await request<JobEvent[]>('GET', `${job(siteId, jobId)}/events`)).data;
export const jobDeliveries = async (siteId: string, jobId: string): Promise<WebhookDelivery[]> =>
  (await request<WebhookDelivery[]>('GET', `${job(siteId, jobId)}/deliveries`)).data;
export const cancelJob = async (siteId: string, jobId: string): Promise<Job> =>
  (await request<Job>('DELETE', job(siteId, jobId))).data;

export interface NewJob {
  /** Reused when the same form is submitted again, so a retried submit never queues a second job. */
  idempotencyKey: string;
  description: string;
  script: string;
  needsAck: boolean;
  backup: boolean;
  express: boolean;
}

/** POST /site/{id}/job, the raw form: the script is the body, the options are headers. */
export async function createJob(siteId: string, j: NewJob): Promise<Job> {
  const headers = {
    'x-idempotency-key': j.idempotencyKey,
    'x-description': j.description,
    'x-needs-ack': String(j.needsAck),
    'x-backup': String(j.backup),
    'x-express-execute': String(j.express),
  };
  return (await request<Job>('POST', `${site(siteId)}/job`, { text: j.script, headers })).data;
}

export const listBackups = async (siteId: string, limit: number): Promise<Backup[]> =>
  (await request<Backup[]>('GET', `${site(siteId)}/backup`, { query: { limit } })).data;
export const backupContent = async (siteId: string, filename: string): Promise<string> =>
  (await request<string>('GET', `${site(siteId)}/backup/${enc(filename)}`)).data;
/** The unified diff from backup `from` to backup `to` (filenames), as `diff -u` writes it. */
export const diffBackups = async (siteId: string, from: string, to: string): Promise<string> =>
  (await request<string>('GET', `${site(siteId)}/backup/${enc(from)}/diff/${enc(to)}`)).data;
export const requestBackup = async (siteId: string): Promise<{ job: string }> =>
  (await request<{ job: string }>('POST', `${site(siteId)}/backup`)).data;

export const getManagement = async (siteId: string): Promise<ManagementEndpoint> =>
  (await request<ManagementEndpoint>('GET', `${site(siteId)}/management`)).data;
export const putManagement = async (siteId: string, body: ManagementInput): Promise<ManagementEndpoint> =>
  (await request<ManagementEndpoint>('PUT', `${site(siteId)}/management`, { json: body })).data;
export const deleteManagement = async (siteId: string): Promise<void> => {
  await request<undefined>('DELETE', `${site(siteId)}/management`);
};

export const listRunbooks = async (): Promise<Runbook[]> => (await request<Runbook[]>('GET', '/runbook')).data;
export const createRunbook = async (name: string): Promise<Runbook> =>
  (await request<Runbook>('POST', '/runbook', { json: { name } })).data;
export const revokeRunbook = async (id: string): Promise<Runbook> =>
  (await request<Runbook>('DELETE', `/runbook/${enc(id)}`)).data;

/** One page of the audit log, newest first; `next` is X-Next-Cursor. */
export async function listAudit(filters: { action?: string; target?: string }, limit: number, cursor?: string): Promise<Page<AuditEvent>> {
  const { data, headers } = await request<AuditEvent[]>('GET', '/audit', { query: { ...filters, limit, cursor } });
  return { items: data, next: headers.get('x-next-cursor') };
}

export const listKeys = async (): Promise<ApiKey[]> => (await request<ApiKey[]>('GET', '/api-keys')).data;
/** POST /api-keys; `expiresAt` (ISO) or null for a key that never expires. */
export const createKey = async (name: string, scopes: string[], expiresAt: string | null = null): Promise<ApiKeyWithSecret> =>
  (await request<ApiKeyWithSecret>('POST', '/api-keys', { json: { name, scopes, expires_at: expiresAt } })).data;
export const revokeKey = async (id: string): Promise<ApiKey> =>
  (await request<ApiKey>('DELETE', `/api-keys/${enc(id)}`)).data;

/** Every backup schedule of the organisation (pages of 500, its largest; organisations have few). */
export async function listSchedules(): Promise<BackupSchedule[]> {
  const all: BackupSchedule[] = [];
  let cursor: string | undefined;
  do {
    const { data, headers } = await request<BackupSchedule[]>('GET', '/backup-schedules', { query: { limit: 500, cursor } });
    all.push(...data);
    cursor = headers.get('x-next-cursor') ?? undefined;
  } while (cursor !== undefined);
  return all;
}
export const createSchedule = async (body: { site_id: string; cron: string; time_zone: string; spread_minutes: number }): Promise<BackupSchedule> =>
  (await request<BackupSchedule>('POST', '/backup-schedules', { json: body })).data;
export const deleteSchedule = async (id: string): Promise<void> => {
  await request<undefined>('DELETE', `/backup-schedules/${enc(id)}`);
};

/** One page of the organisation's rollouts, newest first; `next` is X-Next-Cursor. */
export async function listRollouts(limit: number, cursor?: string): Promise<Page<Rollout>> {
  const { data, headers } = await request<Rollout[]>('GET', '/rollouts', { query: { limit, cursor } });
  return { items: data, next: headers.get('x-next-cursor') };
}
export const getRollout = async (id: string): Promise<Rollout> => (await request<Rollout>('GET', `/rollouts/${enc(id)}`)).data;
/** One page of a rollout's targets in launch order (canaries first), optionally of one state. */
export async function listRolloutTargets(id: string, limit: number, cursor?: string, state?: string): Promise<Page<RolloutTarget>> {
  const { data, headers } = await request<RolloutTarget[]>('GET', `/rollouts/${enc(id)}/targets`, { query: { limit, cursor, state } });
  return { items: data, next: headers.get('x-next-cursor') };
}
export const createRollout = async (body: NewRollout): Promise<Rollout> =>
  (await request<Rollout>('POST', '/rollouts', { json: body })).data;
export type RolloutAction = 'pause' | 'resume' | 'cancel' | 'approve';
export const actOnRollout = async (id: string, action: RolloutAction): Promise<Rollout> =>
  (await request<Rollout>('POST', `/rollouts/${enc(id)}/${action}`)).data;
