import { z } from 'zod';
import { uuid } from '../http/validate.js';

/** Fleet events an organisation's endpoints can subscribe to. */
export const ORG_EVENT_TYPES = ['site.offline', 'site.online'] as const;
export const MAX_ENDPOINTS = 10;

const endpointInput = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).max(2048).meta({ description: 'Where deliveries are POSTed (the same outbound policy as notify_url).' }),
  events: z
    .array(z.enum(ORG_EVENT_TYPES))
    .min(1)
    .transform((e) => [...new Set(e)])
    .meta({ description: 'The event types delivered to this URL.' }),
});

export const putEndpointsBody = z
  .strictObject({
    endpoints: z.array(endpointInput).max(MAX_ENDPOINTS).meta({ description: `The organisation's endpoints (at most ${MAX_ENDPOINTS}); replaces the current list. An empty list removes them all.` }),
  })
  .meta({ id: 'WebhookEndpointsRequest' });

export const endpoint = z
  .object({
    id: uuid,
    url: z.string(),
    events: z.array(z.enum(ORG_EVENT_TYPES)),
    created_at: z.iso.datetime(),
  })
  .meta({ id: 'WebhookEndpoint', description: "An organisation's webhook endpoint for fleet events (docs/webhooks.md, \"Fleet events\")." });

export type EndpointDto = z.infer<typeof endpoint>;
