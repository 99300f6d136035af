import { z } from 'zod';
import { defineRoute, json, jsonBody, textBody } from '../http/route.js';
import { PAGE_HEADERS, setNextPageHeaders } from '../lib/cursor.js';
import { newId } from '../lib/ids.js';
import * as jobs from './jobs.service.js';
import { asyncJobAccepted, asyncJobBody, job, jobEvent, jobParams, listQuery, optionalIdempotencyKey, orgJobsQuery, rawJobHeaders, siteParams } from './jobs.schema.js';

const CREATE_ERRORS = ['site_not_found', 'site_deleting', 'idempotency_key_reused', 'script_too_large', 'backup_requires_v7'] as const;

/** Operator job API: both creation forms, list, get, events, cancel. */
export const jobRoutes = [
  defineRoute({
    method: 'POST',
    path: '/site/{siteId}/job',
    operationId: 'createSiteJob',
    tags: ['Jobs'],
    summary: 'Create a Job for a Site',
    description:
      "Creates and queues a new job to be executed on the specified site. The job's payload is a raw RouterOS script, and metadata is provided via headers. " +
      'Replaying the same X-Idempotency-Key with the same script and options returns the original job with 200; reusing it with different ones is a 409. The body must be `text/plain` (another content type is a 415).',
    auth: { operator: ['jobs:write'] },
    params: siteParams,
    headers: rawJobHeaders,
    body: textBody({ description: 'The raw RouterOS script to be executed on the device.', example: '/ip address add address=192.168.99.1/24 interface=ether2' }),
    responses: {
      200: json(job, 'Idempotent replay - the job created earlier with this X-Idempotency-Key.'),
      201: json(job, 'The job was successfully created.'),
    },
    errors: CREATE_ERRORS,
    async handler({ deps, caller, input: { params, headers: h, body }, status }) {
      const { job, created } = await jobs.createJob(deps, caller.org, params.siteId, {
        idempotencyKey: h['x-idempotency-key'], description: h['x-description'], script: body, needsAck: h['x-needs-ack'],
        backup: h['x-backup'], express: h['x-express-execute'], notifyUrl: null,
        leaseSeconds: h['x-lease-seconds'], timeoutSeconds: h['x-timeout-seconds'], rollbackSeconds: h['x-rollback-seconds'],
      }, caller);
      status(created ? 201 : 200);
      return job;
    },
  }),

  defineRoute({
    method: 'POST',
    path: '/api/asynchronous/{siteId}',
    operationId: 'queueAsynchronousScript',
    tags: ['Developer API'],
    summary: 'Queue an asynchronous RouterOS script',
    description: 'Queues a RouterOS script for execution on a managed site (JSON form). Without X-Idempotency-Key the server generates one.',
    auth: { operator: ['jobs:write'] },
    params: z.object({ siteId: siteParams.shape.siteId.meta({ description: 'The target site/router UUID.' }) }),
    headers: optionalIdempotencyKey,
    body: jsonBody(asyncJobBody),
    responses: { 200: json(asyncJobAccepted, 'The job was accepted for asynchronous execution.') },
    errors: CREATE_ERRORS,
    async handler({ deps, caller, input: { params, headers, body: b } }) {
      const { job } = await jobs.createJob(deps, caller.org, params.siteId, {
        idempotencyKey: headers['x-idempotency-key'] ?? newId(), description: b.description, script: b.script,
        needsAck: b.needs_acknowledgement, backup: b.make_backup, express: b.express_execute, notifyUrl: b.notify_url,
        leaseSeconds: b.lease_seconds, timeoutSeconds: b.timeout_seconds, rollbackSeconds: b.rollback_after_seconds,
      }, caller);
      const date = new Date(job.created_at).toISOString().replace(/\.\d{3}Z$/, '+00:00');
      return { status: 'success' as const, data: { idempotency_key: job.idempotency_key, request_id: job.id, target: job.site_id, notify_url: job.notify_url, date } };
    },
  }),

  defineRoute({
    method: 'GET',
    path: '/site/{siteId}/job',
    operationId: 'listSiteJobs',
    tags: ['Jobs'],
    summary: 'List jobs for a site',
    description: 'Jobs ordered by creation date (most recent first). Pass the X-Next-Cursor value as `cursor` for the next page.',
    auth: { operator: ['jobs:read'] },
    params: siteParams,
    query: listQuery,
    responses: {
      200: json(z.array(job), 'A list of jobs for the site.', PAGE_HEADERS),
    },
    errors: ['site_not_found'],
    async handler({ deps, caller, input: { params, query }, header }) {
      const { jobs: list, nextCursor } = await jobs.listJobs(deps, caller.org, params.siteId, query);
      setNextPageHeaders(header, `/site/${params.siteId}/job`, query, nextCursor);
      return list;
    },
  }),

  defineRoute({
    method: 'GET',
    path: '/jobs',
    operationId: 'listJobs',
    tags: ['Jobs'],
    summary: "List the organisation's jobs",
    description: 'Jobs of every site of the organisation, most recent first, optionally by state, site and creation time. Pass the X-Next-Cursor value as `cursor` for the next page.',
    auth: { operator: ['jobs:read'] },
    query: orgJobsQuery,
    responses: { 200: json(z.array(job), 'A page of jobs.', PAGE_HEADERS) },
    async handler({ deps, caller, input: { query }, header }) {
      const { jobs: list, nextCursor } = await jobs.listOrgJobs(deps, caller.org, query);
      setNextPageHeaders(header, '/jobs', query, nextCursor);
      return list;
    },
  }),

  defineRoute({
    method: 'GET',
    path: '/site/{siteId}/job/{jobId}',
    operationId: 'getSiteJob',
    tags: ['Jobs'],
    summary: 'Retrieve a job',
    auth: { operator: ['jobs:read'] },
    params: jobParams,
    responses: { 200: json(job, 'The job.') },
    errors: ['site_not_found', 'job_not_found'],
    handler: ({ deps, caller, input: { params } }) => jobs.getJob(deps, caller.org, params.siteId, params.jobId),
  }),

  defineRoute({
    method: 'GET',
    path: '/site/{siteId}/job/{jobId}/events',
    operationId: 'listSiteJobEvents',
    tags: ['Jobs'],
    summary: "List a job's events",
    auth: { operator: ['jobs:read'] },
    params: jobParams,
    responses: { 200: json(z.array(jobEvent), 'The events, oldest first.') },
    errors: ['site_not_found', 'job_not_found'],
    handler: ({ deps, caller, input: { params } }) => jobs.listJobEvents(deps, caller.org, params.siteId, params.jobId),
  }),

  defineRoute({
    method: 'DELETE',
    path: '/site/{siteId}/job/{jobId}',
    operationId: 'cancelSiteJob',
    tags: ['Jobs'],
    summary: 'Cancel a pending job',
    description: 'Cancels a job the router has not been handed yet. Repeating it returns the cancelled job.',
    auth: { operator: ['jobs:write'] },
    params: jobParams,
    responses: { 200: json(job, 'The cancelled job.') },
    errors: ['site_not_found', 'job_not_found', 'job_already_started'],
    handler: ({ deps, caller, input: { params } }) => jobs.cancelJob(deps, caller, params.siteId, params.jobId),
  }),
];
