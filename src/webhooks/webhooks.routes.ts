import { z } from 'zod';
import { defineRoute, json, jsonBody } from '../http/route.js';
import { endpoint, putEndpointsBody } from './endpoints.schema.js';
import * as orgEvents from './org-events.service.js';
import { jobParams, rotatedSecret, rotateSecretBody, webhookDelivery, webhookSecret } from './webhooks.schema.js';
import * as secrets from './secrets.service.js';
import * as webhooks from './webhooks.service.js';

/** Operator view of a job's notify_url deliveries and their attempts; the org's fleet-event endpoints and signing secret. */
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

  defineRoute({
    method: 'GET',
    path: '/webhook-secret',
    operationId: 'getWebhookSecret',
    tags: ['Access'],
    summary: "Show the organisation's webhook signing secret",
    description:
      "The secret every webhook of the organisation (notify_url job events, fleet events) is signed with (Standard Webhooks `webhook-signature`, and `Tikops-Signature` for one more release); created on first use. Each call is recorded in the audit log (`webhook_secret.reveal`). See docs/webhooks.md.",
    auth: { operator: ['webhooks:admin'] },
    responses: { 200: json(webhookSecret, 'The current secret.') },
    handler: ({ deps, caller }) => secrets.revealSecret(deps, caller),
  }),

  defineRoute({
    method: 'POST',
    path: '/webhook-secret/rotate',
    operationId: 'rotateWebhookSecret',
    tags: ['Access'],
    summary: "Rotate the organisation's webhook signing secret",
    description:
      'Creates a new secret and returns it. The previous one keeps signing beside it (deliveries carry two `v1` signatures) for `grace_seconds`, so receivers can switch without missing a delivery; an earlier previous secret stops at once. Audited (`webhook_secret.rotate`).',
    auth: { operator: ['webhooks:admin'] },
    body: jsonBody(rotateSecretBody),
    responses: { 200: json(rotatedSecret, 'The new secret.') },
    errors: ['webhook_secret_busy'],
    handler: ({ deps, caller, input }) => secrets.rotateSecret(deps, caller, input.body.grace_seconds),
  }),
];
