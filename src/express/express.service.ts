import { createSafeFetch, OutboundRefused, type SafeFetch } from '../lib/safe-fetch.js';
import type { Gate, Verdict } from '../redis/fair-share.js';
import type { Deps } from '../runtime.js';
import * as jobs from '../jobs/jobs.service.js';
import { loadEndpoint, type Endpoint } from './management.service.js';
import { executeUrl, managementPolicy } from './policy.js';

// Express execute: ask the router to poll now, through its RouterOS v7 REST API
// (`POST /rest/execute` running the installed poll script in the background; REST API, help.mikrotik.com/docs/spaces/ROS/pages/47579162; docs/express-execute.md).
// Best effort by contract: it records what happened as job events and never changes the job, so
// whatever goes wrong here the job still goes out on the router's next regular poll.
// A late express is worthless, so the call has a short per-try timeout and at most TRIES tries
// (≈ 3 × EXPRESS_TIMEOUT_MS + 0.7 s in the worst case); the BullMQ job itself is never retried.

const TRIES = 3;
const BACKOFF_MS = [200, 500];

/** `busy`: the org or the router holds its share of express calls; the caller asks again a little later. */
export type ExpressOutcome = 'succeeded' | 'failed' | 'skipped' | 'busy';

/** How long an express may wait for a share before it is given up: a late express is worthless. */
export const EXPRESS_MAX_WAIT_MS = 10_000;

/**
 * Why a try failed, in words an operator can act on. Only these (and tikops' own fixed messages)
 * reach job events, never a raw network error: which socket error came back says too much about
 * a network an API user should not be able to probe.
 */
export type FailureReason = 'unreachable' | 'refused' | 'tls' | 'auth' | 'timeout' | 'router_error' | 'busy';

type Try =
  | { ok: true; status: number; ms: number }
  | { ok: false; retry: boolean; reason: FailureReason; message: string; status?: number };

/**
 * RouterOS answers errors as {"error":<status>,"message":…,"detail":…}; only that shape is kept
 * (shortened), so an endpoint pointed at some other service cannot be used to read its replies.
 */
function routerMessage(status: number, body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: unknown; message?: unknown; detail?: unknown };
    if (parsed.error !== status) return undefined;
    const text = [parsed.message, parsed.detail].filter((v) => typeof v === 'string').join(': ');
    return text ? text.slice(0, 160) : undefined;
  } catch {
    return undefined;
  }
}

/** A network failure as one of the generic reasons, with a fixed message. */
function networkFailure(err: unknown, timeoutMs: number): Try {
  const e = err as { name?: string; code?: string };
  if (e.name === 'TimeoutError' || e.code === 'ETIMEDOUT') {
    return { ok: false, retry: true, reason: 'timeout', message: `no answer within ${timeoutMs} ms` };
  }
  const code = typeof e.code === 'string' ? e.code : '';
  // A certificate the router does not pass will not pass on the next try either.
  if (/CERT|TLS|SSL|SIGNATURE/.test(code)) {
    return { ok: false, retry: false, reason: 'tls', message: "the router's certificate is not trusted (set ca_pem, or verify_tls: false)" };
  }
  if (code === 'ECONNREFUSED') return { ok: false, retry: true, reason: 'refused', message: 'the connection was refused (REST service off or firewalled?)' };
  return { ok: false, retry: true, reason: 'unreachable', message: 'the router could not be reached' };
}

async function tryOnce(fetch: SafeFetch, ep: Endpoint, timeoutMs: number, connectTimeoutMs: number): Promise<Try> {
  try {
    const res = await fetch(executeUrl(ep), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ script: `/system script run ${ep.pollScriptName}` }),
      timeoutMs,
      connectTimeoutMs: Math.min(connectTimeoutMs, timeoutMs),
      tls: ep.useTls ? { rejectUnauthorized: ep.verifyTls, ca: ep.caPem ?? undefined } : undefined,
      auth: { username: ep.username, password: ep.password },
    });
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status, ms: res.durationMs };
    // 5xx and throttling may pass on a second try; a 4xx (bad credentials, missing script) will not,
    // and repeating a 401 only feeds the router's failed-login log.
    const retry = res.status >= 500 || res.status === 408 || res.status === 429;
    const auth = res.status === 401 || res.status === 403;
    return {
      ok: false,
      retry,
      reason: auth ? 'auth' : 'router_error',
      message: routerMessage(res.status, res.body) ?? `the router answered HTTP ${res.status}`,
      status: res.status,
    };
  } catch (err) {
    if (err instanceof OutboundRefused) {
      return { ok: false, retry: false, reason: 'refused', message: 'the address is not allowed for management endpoints (MANAGEMENT_ALLOWLIST)' };
    }
    return networkFailure(err, timeoutMs);
  }
}

const POLL_CHECK_MS = 100;

/**
 * When the site last polled, once that is at or after `sinceMs` (its poll recorded `seen` in Redis,
 * pop-next-6.lua), waiting up to `withinMs`; null if no poll came in time.
 */
async function pollAfter(deps: Deps, siteId: string, sinceMs: number, withinMs: number): Promise<number | null> {
  const until = sinceMs + withinMs;
  for (;;) {
    const seen = (await deps.fleet.presence([siteId])).get(siteId)?.seenMs ?? null;
    if (seen !== null && seen >= sinceMs) return seen;
    if (deps.clock() >= until) return null;
    await new Promise((r) => setTimeout(r, Math.min(POLL_CHECK_MS, Math.max(1, until - deps.clock()))));
  }
}

/** Calls the router up to TRIES times; returns the last try and how many were made. */
async function callRouter(fetch: SafeFetch, ep: Endpoint, timeoutMs: number, connectTimeoutMs: number): Promise<{ last: Try; tries: number }> {
  for (let tries = 1; ; tries++) {
    const last = await tryOnce(fetch, ep, timeoutMs, connectTimeoutMs);
    if (last.ok || !last.retry || tries >= TRIES) return { last, tries };
    await new Promise((r) => setTimeout(r, BACKOFF_MS[tries - 1] ?? 500));
  }
}

/** What a call says about the router for its circuit: any HTTP answer below 500 means it is there. */
function verdictOf(last: Try): Verdict {
  if (last.ok) return 'ok';
  if (last.reason === 'refused' && last.status === undefined && !last.retry) return 'none'; // refused by our policy: never tried
  return last.status !== undefined && last.status < 500 ? 'ok' : 'fail';
}

/** The longest one express can take: TRIES tries and the pauses between them, plus a margin. */
const holdMs = (timeoutMs: number): number => TRIES * timeoutMs + BACKOFF_MS.reduce((a, b) => a + b, 0) + 5_000;

/** An express that cannot go now: busy shares wait (up to EXPRESS_MAX_WAIT_MS); a paused router is not called. */
async function notNow(deps: Deps, jobId: string, gate: Extract<Gate, { go: false }>, waitedMs: number): Promise<ExpressOutcome> {
  deps.metrics.outboundWaits.inc({ lane: 'express', reason: gate.reason });
  const paused = gate.reason === 'circuit_open' || gate.reason === 'probe_in_flight';
  if (!paused && waitedMs < EXPRESS_MAX_WAIT_MS) return 'busy';
  const message = paused
    ? 'not called: recent calls to this router failed, so express calls to it are paused for a while'
    : `not called: the organisation's or the router's express calls stayed busy for ${EXPRESS_MAX_WAIT_MS / 1000} s`;
  await jobs.noteJob(deps, jobId, 'express_failed', { reason: paused ? 'unreachable' : 'busy', message });
  return 'failed';
}

async function expressJob(deps: Deps, fetch: SafeFetch, jobId: string, waitedMs: number): Promise<ExpressOutcome> {
  const found = await jobs.findJobWithOrg(deps, jobId);
  if (!found) return 'skipped'; // deleted with its site: no history left to write to
  const { job, org } = found;
  const record = (type: jobs.NoteType, detail: Record<string, unknown>): Promise<void> => jobs.noteJob(deps, jobId, type, detail);
  if (job.status !== 'queued') {
    // A poll (or a cancel) got there first; asking the router to poll again would be pointless.
    await record('express_failed', { reason: `job no longer queued (${job.status})` });
    return 'skipped';
  }
  const ep = await loadEndpoint(deps, job.site_id);
  const destination = ep && ep !== 'unreadable' ? `${ep.address}:${ep.port}` : null;
  const gate = destination ? await deps.fairShare.acquire('express', org, destination, deps.clock(), holdMs(deps.config.expressTimeoutMs)) : null;
  if (gate && !gate.go) return notNow(deps, jobId, gate, waitedMs);
  await record('express_requested', ep && ep !== 'unreadable' ? { url: executeUrl(ep), script: ep.pollScriptName } : {});
  if (ep === null) {
    await record('express_failed', { reason: 'no management endpoint configured' });
    return 'failed';
  }
  if (ep === 'unreadable') {
    await record('express_failed', { reason: 'stored password cannot be decrypted (SIGNING_KEY changed?); set the management endpoint again' });
    return 'failed';
  }
  const triggeredMs = deps.clock();
  const { last, tries } = await callRouter(fetch, ep, deps.config.expressTimeoutMs, deps.config.fairShare.connectTimeoutMs);
  if (gate?.go) {
    const change = await deps.fairShare.release('express', org, destination!, gate.lease, deps.clock(), verdictOf(last));
    if (change && 'opened' in change) deps.log.warn({ siteId: job.site_id, until: new Date(change.opened).toISOString() }, 'router keeps failing express calls: paused (circuit open)');
  }
  if (last.ok) {
    // `/rest/execute` answers before the script runs (REST API, help.mikrotik.com/docs/spaces/ROS/
    // pages/47579162, and docs/express-execute.md), and a router that may not run the poll script
    // answers 200 all the same: only a poll from the site proves the trigger worked.
    const polledMs = await pollAfter(deps, job.site_id, triggeredMs, deps.config.expressConfirmSeconds * 1000);
    if (polledMs === null) {
      await record('express_unconfirmed', { status: last.status, tries, waited_seconds: deps.config.expressConfirmSeconds });
      deps.log.warn({ jobId, siteId: job.site_id, tries }, 'express execute accepted, but the router did not poll');
      return 'failed';
    }
    await record('express_succeeded', { status: last.status, ms: last.ms, tries, poll_after_ms: Math.max(0, polledMs - triggeredMs) });
    deps.log.info({ jobId, siteId: job.site_id, tries, ms: last.ms }, 'express execute succeeded');
    return 'succeeded';
  }
  const { reason, status, message } = last;
  await record('express_failed', { reason, message, tries, ...(status === undefined ? {} : { status }) });
  deps.log.warn({ jobId, siteId: job.site_id, tries, reason }, 'express execute failed');
  return 'failed';
}

/**
 * The express-execute step for one job id, with one outbound client for the process. `waitedMs`:
 * how long the express has waited for a share so far.
 */
export function createExpressRunner(deps: Deps): (jobId: string, waitedMs?: number) => Promise<ExpressOutcome> {
  const fetch = createSafeFetch(managementPolicy(deps.config));
  return (jobId, waitedMs = 0) => expressJob(deps, fetch, jobId, waitedMs);
}
