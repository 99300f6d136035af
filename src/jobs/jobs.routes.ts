import type { Middleware } from 'koa';
import type { OperatorState, AppRouter } from '../http/auth.js';
import { readJson, readText } from '../http/body.js';
import { parse } from '../http/validate.js';
import { newId } from '../lib/ids.js';
import type { Deps } from '../runtime.js';
import * as jobs from './jobs.service.js';
import { asyncJobBody, jobParams, listQuery, optionalIdempotencyKey, rawJobHeaders, siteParams } from './jobs.schema.js';

/** Operator job API: both creation forms, list, get, events, cancel. */
export function jobRoutes(router: AppRouter, deps: Deps, auth: Middleware<OperatorState>): void {
  const limit = deps.config.bodyLimitBytes;

  router.post('/site/:siteId/job', auth, async (ctx) => {
    const { siteId } = parse(siteParams, ctx.params);
    const h = parse(rawJobHeaders, ctx.headers, 'header');
    const script = await readText(ctx, limit);
    const input = { idempotencyKey: h['x-idempotency-key'], description: h['x-description'], script,
      needsAck: h['x-needs-ack'], backup: h['x-backup'], express: h['x-express-execute'], notifyUrl: null,
      leaseSeconds: h['x-lease-seconds'], timeoutSeconds: h['x-timeout-seconds'] };
    const { job, created } = await jobs.createJob(deps, ctx.state.org, siteId, input);
    ctx.status = created ? 201 : 200;
    ctx.body = job;
  });

  router.post('/api/asynchronous/:siteId', auth, async (ctx) => {
    const { siteId } = parse(siteParams, ctx.params);
    const key = parse(optionalIdempotencyKey, ctx.headers, 'header')['x-idempotency-key'] ?? newId();
    const b = parse(asyncJobBody, await readJson(ctx, limit));
    const input = { idempotencyKey: key, description: b.description, script: b.script,
      needsAck: b.needs_acknowledgement, backup: b.make_backup, express: b.express_execute, notifyUrl: b.notify_url,
      leaseSeconds: b.lease_seconds, timeoutSeconds: b.timeout_seconds };
    const { job } = await jobs.createJob(deps, ctx.state.org, siteId, input);
    const date = new Date(job.created_at).toISOString().replace(/\.\d{3}Z$/, '+00:00');
    ctx.body = { status: 'success', data: { idempotency_key: job.idempotency_key, request_id: job.id,
      target: job.site_id, notify_url: job.notify_url, date } };
  });

  router.get('/site/:siteId/job', auth, async (ctx) => {
    const { siteId } = parse(siteParams, ctx.params);
    const page = parse(listQuery, ctx.query, 'query');
    const { jobs: list, nextCursor } = await jobs.listJobs(deps, ctx.state.org, siteId, page);
    if (nextCursor) {
      ctx.set('X-Next-Cursor', nextCursor);
      ctx.set('Link', `</site/${siteId}/job?limit=${page.limit}&cursor=${nextCursor}>; rel="next"`);
    }
    ctx.body = list;
  });

  router.get('/site/:siteId/job/:jobId', auth, async (ctx) => {
    const { siteId, jobId } = parse(jobParams, ctx.params);
    ctx.body = await jobs.getJob(deps, ctx.state.org, siteId, jobId);
  });

  router.get('/site/:siteId/job/:jobId/events', auth, async (ctx) => {
    const { siteId, jobId } = parse(jobParams, ctx.params);
    ctx.body = await jobs.listJobEvents(deps, ctx.state.org, siteId, jobId);
  });

  router.delete('/site/:siteId/job/:jobId', auth, async (ctx) => {
    const { siteId, jobId } = parse(jobParams, ctx.params);
    ctx.body = await jobs.cancelJob(deps, ctx.state.org, siteId, jobId);
  });
}
