import * as jobs from '../jobs/jobs.service.js';
import type { JobDto } from '../jobs/jobs.service.js';
import { userUrlPolicy } from '../lib/outbound-url.js';
import { createSafeFetch, OutboundRefused } from '../lib/safe-fetch.js';
import { webhookAttempts } from '../queues/definitions.js';
import type { Deps } from '../runtime.js';
import type { Gate, Verdict, WaitReason } from '../redis/fair-share.js';
import { SIGNATURE_HEADER, signatureHeader, webhookSecret } from './sign.js';
import * as repo from './webhooks.repo.js';
import type { AttemptRow, EventRow, Outcome, WebhookEventType } from './webhooks.repo.js';
import type { AttemptDto, DeliveryDto } from './webhooks.schema.js';

// notify_url webhooks. Each job event the job_event trigger put in the outbox arrives here as one
// BullMQ job; every HTTP attempt is recorded, whatever happened. Delivery is at least once:
// receivers dedupe on the delivery id, which is the same on every attempt of one event.

/** Per-attempt limit; a receiver slower than this counts as failed and is retried. */
export const DELIVERY_TIMEOUT_MS = 10_000;
const USER_AGENT = 'tikops-webhooks/1';
const MAX_ERROR_CHARS = 500;

export type { Outcome };

/** Whose delivery it is and where it goes: what its fair shares and circuit breaker are keyed by. */
export interface Route {
  org: string;
  /** The notify_url's host (host name and port). */
  destination: string;
}

export type DeliveryResult =
  | {
      /** `settled`: an earlier attempt already ended the delivery; `gone`: the event or its job no longer exists. */
      outcome: Outcome | 'settled' | 'gone';
      deliveryId: string;
      attempt?: number;
      error?: string | null;
    }
  /** Not attempted now (no attempt used): the org or destination holds its share, or the destination is paused. */
  | { outcome: 'paused'; deliveryId: string; reason: WaitReason; retryAtMs: number | null; route: Route };

/**
 * How long a delivery's slots are leased: well past its timeout and the time to record it, even on
 * a loaded machine whose timers run late (a lease that ended early would let a destination exceed
 * its share); only a crashed worker's slots wait this long to come back.
 */
const HOLD_MS = 2 * DELIVERY_TIMEOUT_MS + 10_000;

/** The destination a URL's deliveries share: its host (lower-case name and port). */
export function destinationOf(url: string): string {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return '(invalid)';
  }
}

/** The delivery id receivers dedupe on: one per job event, stable across retries. */
export function deliveryId(eventId: bigint): string {
  return `evt_${eventId}`;
}

/**
 * The webhook `type` of a job event: `job.<event>`, except that a backup which found the
 * configuration changed is announced as `config.changed` (configuration drift, docs/webhooks.md).
 */
export function webhookType(event: WebhookEventType): DeliveryDto['type'] {
  return event === 'config_changed' ? 'config.changed' : `job.${event}`;
}

/**
 * The webhook body. `data.job` is the job as it stands when the attempt is sent (it may already
 * have moved past the event), without its script to keep payloads small.
 */
export function buildPayload(event: EventRow, job: JobDto): string {
  const { script: _script, ...rest } = job;
  return JSON.stringify({
    id: deliveryId(event.id),
    type: webhookType(event.type),
    created_at: event.at.toISOString(),
    data: { job: rest, site_id: job.site_id, detail: event.detail ?? null },
  });
}

export interface Sent {
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  refused: boolean;
}

const clip = (s: string): string => (s.length > MAX_ERROR_CHARS ? `${s.slice(0, MAX_ERROR_CHARS - 1)}…` : s);

function describeFailure(err: unknown): string {
  if (!(err instanceof Error)) return clip(String(err));
  const code = (err as { code?: unknown }).code;
  return clip(typeof code === 'string' && !err.message.includes(code) ? `${code}: ${err.message}` : err.message);
}

/** The headers of every webhook tikops sends: type, delivery id and the signature of `body`. */
export function webhookHeaders(deps: Deps, deliveryId: string, type: string, body: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'tikops-delivery': deliveryId,
    'tikops-event': type,
    [SIGNATURE_HEADER.toLowerCase()]: signatureHeader(webhookSecret(deps.config), body, deps.clock()),
  };
}

/** One POST through the SSRF-safe fetch; never throws. */
export async function send(deps: Deps, url: string, headers: Record<string, string>, body: string): Promise<Sent> {
  const fetch = createSafeFetch(userUrlPolicy(deps.config));
  const started = performance.now();
  try {
    const res = await fetch(url, { method: 'POST', headers, body, timeoutMs: DELIVERY_TIMEOUT_MS, connectTimeoutMs: deps.config.fairShare.connectTimeoutMs });
    const ok = res.status >= 200 && res.status < 300;
    // A redirect is never followed (it could point anywhere), and asking again gets the same
    // redirect: it is a final answer, not a reason to retry for a day.
    const redirect = res.status >= 300 && res.status < 400;
    const error = ok
      ? null
      : redirect
        ? `HTTP ${res.status}: redirect not followed`
        : clip(`HTTP ${res.status}${res.body ? `: ${res.body.trim()}` : ''}`);
    return { statusCode: res.status, durationMs: res.durationMs, error, refused: redirect };
  } catch (err) {
    const durationMs = Math.round(performance.now() - started);
    return { statusCode: null, durationMs, error: describeFailure(err), refused: err instanceof OutboundRefused };
  }
}

/** What an attempt says about its destination: no answer, a 5xx or a 429 count against it; never tried says nothing. */
export function verdictOf(sent: Sent): Verdict {
  if (sent.statusCode === null) return sent.refused ? 'none' : 'fail';
  return sent.statusCode >= 500 || sent.statusCode === 429 ? 'fail' : 'ok';
}

export function outcomeOf(sent: Sent, attempt: number, maxAttempts: number): Outcome {
  if (sent.refused) return 'refused';
  if (sent.error === null) return 'delivered';
  return attempt >= maxAttempts ? 'gave_up' : 'retrying';
}

/** A slot of the route's org and destination for one delivery (job or fleet event), or why not now. */
export async function acquire(deps: Deps, r: Route): Promise<Gate> {
  const gate = await deps.fairShare.acquire('webhook', r.org, r.destination, deps.clock(), HOLD_MS);
  if (!gate.go) deps.metrics.outboundWaits.inc({ lane: 'webhook', reason: gate.reason });
  return gate;
}

/**
 * Makes the next attempt at delivering job event `eventId` to its job's notify_url and records it,
 * within the fair shares of its org and destination (docs/webhooks.md). `retrying` means the
 * caller should try again later, `paused` that it should try again at `retryAtMs` (or soon),
 * without an attempt used; every other outcome is final. `known`: the route a paused delivery
 * reported, so asking again costs no query while the shares stay busy.
 */
export async function deliverEvent(deps: Deps, eventId: bigint, known?: Route): Promise<DeliveryResult> {
  const id = deliveryId(eventId);
  let gate = known ? await acquire(deps, known) : null;
  if (known && gate && !gate.go) return { outcome: 'paused', deliveryId: id, reason: gate.reason, retryAtMs: gate.retryAtMs, route: known };
  const event = await repo.findEvent(deps.db, eventId);
  const found = event ? await jobs.findJobWithOrg(deps, event.jobId) : null;
  const route: Route | null = found?.job.notify_url ? { org: found.org, destination: destinationOf(found.job.notify_url) } : null;
  if (!gate && route) {
    gate = await acquire(deps, route);
    if (!gate.go) return { outcome: 'paused', deliveryId: id, reason: gate.reason, retryAtMs: gate.retryAtMs, route };
  }
  const lease = gate?.go ? gate.lease : null;
  let verdict: Verdict = 'none';
  try {
    const result = await attemptDelivery(deps, eventId, event, found?.job ?? null);
    verdict = result.verdict;
    return result.result;
  } finally {
    if (lease !== null) await release(deps, known ?? route!, lease, verdict);
  }
}

/** Gives a delivery's slot back with what its attempt says about the destination; logs circuit changes. */
export async function release(deps: Deps, r: Route, lease: string, verdict: Verdict): Promise<void> {
  const change = await deps.fairShare.release('webhook', r.org, r.destination, lease, deps.clock(), verdict);
  if (change && 'opened' in change) {
    deps.log.warn({ destination: r.destination, until: new Date(change.opened).toISOString() }, 'webhook destination keeps failing: paused (circuit open)');
  } else if (change) deps.log.info({ destination: r.destination }, 'webhook destination answers again (circuit closed)');
}

async function attemptDelivery(
  deps: Deps,
  eventId: bigint,
  event: EventRow | null,
  job: JobDto | null,
): Promise<{ result: DeliveryResult; verdict: Verdict }> {
  const id = deliveryId(eventId);
  if (!event || !job?.notify_url) return { result: { outcome: 'gone', deliveryId: id }, verdict: 'none' };
  // A repeated queue job (an outbox relay redone after a crash, a stalled job) must not resend.
  const last = await repo.findLastAttempt(deps.db, eventId);
  if (last && last.outcome !== 'retrying') return { result: { outcome: 'settled', deliveryId: id }, verdict: 'none' };
  const attempt = (last?.attempt ?? 0) + 1;

  const body = buildPayload(event, job);
  const sent = await send(deps, job.notify_url, webhookHeaders(deps, id, webhookType(event.type), body), body);
  const outcome = outcomeOf(sent, attempt, webhookAttempts(deps.config));
  deps.metrics.webhookAttempts.inc({ outcome });
  await repo.createAttempt(
    deps.db,
    { jobId: job.id, eventId, deliveryId: id, attempt, url: job.notify_url, statusCode: sent.statusCode,
      durationMs: sent.durationMs, error: sent.error, outcome },
    new Date(deps.clock()),
  );
  const line = { deliveryId: id, jobId: job.id, eventId, attempt, status: sent.statusCode, error: sent.error };
  if (outcome === 'refused' || outcome === 'gave_up') deps.log.warn(line, `webhook delivery ${outcome}`);
  else deps.log.info(line, `webhook delivery ${outcome}`);
  return { result: { outcome, deliveryId: id, attempt, error: sent.error }, verdict: verdictOf(sent) };
}

/**
 * Gives up a delivery that was never attempted because its destination stayed paused (circuit
 * open) past the retry window: recorded as a final `gave_up` attempt without a request, so the
 * deliveries of a destination that never comes back do not wait for probes forever.
 */
export async function abandonDelivery(deps: Deps, eventId: bigint, why: string): Promise<DeliveryResult> {
  const id = deliveryId(eventId);
  const event = await repo.findEvent(deps.db, eventId);
  const job = event ? await jobs.findJob(deps, event.jobId) : null;
  if (!event || !job?.notify_url) return { outcome: 'gone', deliveryId: id };
  const last = await repo.findLastAttempt(deps.db, eventId);
  if (last && last.outcome !== 'retrying') return { outcome: 'settled', deliveryId: id };
  const attempt = (last?.attempt ?? 0) + 1;
  await repo.createAttempt(
    deps.db,
    { jobId: job.id, eventId, deliveryId: id, attempt, url: job.notify_url, statusCode: null, durationMs: 0, error: why, outcome: 'gave_up' },
    new Date(deps.clock()),
  );
  deps.log.warn({ deliveryId: id, jobId: job.id, eventId, attempt, error: why }, 'webhook delivery gave_up');
  return { outcome: 'gave_up', deliveryId: id, attempt, error: why };
}

function toAttemptDto(a: AttemptRow): AttemptDto {
  return { attempt: a.attempt, at: a.at.toISOString(), url: a.url, status_code: a.statusCode, duration_ms: a.durationMs,
    error: a.error, outcome: a.outcome };
}

/** The job's webhook deliveries, one per event (oldest first), each with its attempts; 404 outside the org. */
export async function listDeliveries(deps: Deps, org: string, siteId: string, jobId: string): Promise<DeliveryDto[]> {
  const job = await jobs.getJob(deps, org, siteId, jobId);
  if (job.notify_url === null) return [];
  const [events, attempts] = await Promise.all([repo.listEvents(deps.db, jobId), repo.listAttempts(deps.db, jobId)]);
  return events.map((e) => {
    const mine = attempts.filter((a) => a.eventId === e.id).map(toAttemptDto);
    return { id: deliveryId(e.id), type: webhookType(e.type), created_at: e.at.toISOString(),
      state: mine.at(-1)?.outcome ?? 'pending', attempts: mine };
  });
}
