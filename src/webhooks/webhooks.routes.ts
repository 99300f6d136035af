import { z } from 'zod';
import { defineRoute, json, jsonBody } from '../http/route.js';
import { endpoint, putEndpointsBody } from './endpoints.schema.js';
import * as orgEvents from './org-events.service.js';
import { jobParams, webhookDelivery } from './webhooks.schema.js';
import * as webhooks from './webhooks.service.js';

/** Operator view of a job's notify_url deliveries and their attempts; the org's fleet-event endpoints. */
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

  defineRoute({
    method: 'GET',
    path: '/webhook-endpoints',
    operationId: 'listWebhookEndpoints',
    tags: ['Fleet health'],
    summary: "The organisation's fleet-event webhook endpoints",
    auth: { operator: ['sites:read'] },
    responses: { 200: json(z.array(endpoint), 'The endpoints.') },
    handler: ({ deps, caller }) => orgEvents.listEndpoints(deps, caller.org),
  }),

  defineRoute({
    method: 'PUT',
    path: '/webhook-endpoints',
    operationId: 'putWebhookEndpoints',
    tags: ['Fleet health'],
    summary: "Set the organisation's fleet-event webhook endpoints",
    description:
      'Replaces the list. Each endpoint receives the event types it names (`site.offline` when an outage opens, `site.online` when it ends), signed like job webhooks (docs/webhooks.md, "Fleet events").',
    auth: { operator: ['sites:write'] },
    body: jsonBody(putEndpointsBody),
    responses: { 200: json(z.array(endpoint), 'The endpoints now set.') },
    handler: ({ deps, caller, input }) => orgEvents.putEndpoints(deps, caller, input.body.endpoints),
  }),
];
