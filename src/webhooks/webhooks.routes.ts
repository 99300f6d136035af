import { z } from 'zod';
import { defineRoute, json } from '../http/route.js';
import { jobParams, webhookDelivery } from './webhooks.schema.js';
import * as webhooks from './webhooks.service.js';

/** Operator view of a job's notify_url deliveries and their attempts. */
export const webhookRoutes = [
  defineRoute({
    method: 'GET',
    path: '/site/{siteId}/job/{jobId}/deliveries',
    operationId: 'listSiteJobDeliveries',
    tags: ['Jobs'],
    summary: "List a job's notify_url webhook deliveries",
    description:
      'One entry per job event sent to the notify_url (oldest first), each with its attempts. Empty when the job has no notify_url. See docs/webhooks.md.',
    auth: { operator: ['jobs:read'] },
    params: jobParams,
    responses: { 200: json(z.array(webhookDelivery), 'The deliveries, oldest event first.') },
    errors: ['site_not_found', 'job_not_found'],
    handler: ({ deps, caller, input: { params } }) => webhooks.listDeliveries(deps, caller.org, params.siteId, params.jobId),
  }),
];
