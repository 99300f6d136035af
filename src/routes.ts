import { adoptionRoutes } from './adoption/adoption.routes.js';
import { auditRoutes } from './audit/audit.routes.js';
import { backupRoutes } from './backups/backups.routes.js';
import { scheduleRoutes } from './backups/schedules.routes.js';
import { backupUploadRoutes } from './backups/upload.routes.js';
import { eventRoutes } from './events/events.routes.js';
import { expressRoutes } from './express/express.routes.js';
import { fleetRoutes } from './fleet/fleet.routes.js';
import { docsRoutes } from './http/docs.routes.js';
import { buildOpenapi } from './http/openapi.js';
import type { AnyRoute } from './http/route.js';
import { callbackRoutes } from './jobs/callbacks.routes.js';
import { jobRoutes } from './jobs/jobs.routes.js';
import { keyRoutes } from './keys/keys.routes.js';
import { metricsRoutes } from './metrics/metrics.routes.js';
import { pollRoute } from './poll/poll.routes.js';
import { rolloutRoutes } from './rollouts/rollouts.routes.js';
import { runbookRoutes } from './runbooks/runbooks.routes.js';
import { sessionRoutes } from './sessions/sessions.routes.js';
import { siteRoutes } from './sites/sites.routes.js';
import { webhookRoutes } from './webhooks/webhooks.routes.js';

// Every route the API serves, in one list: src/app.ts registers them and the OpenAPI document is
// generated from them (src/http/openapi.ts), so the two cannot differ.

/** The capabilities' routes, POST /poll included (it has no handler: src/app.ts serves it before Koa). */
export const capabilityRoutes: readonly AnyRoute[] = [
  pollRoute,
  ...callbackRoutes,
  ...backupUploadRoutes,
  ...siteRoutes,
  ...expressRoutes,
  ...jobRoutes,
  ...rolloutRoutes,
  ...eventRoutes,
  ...webhookRoutes,
  ...backupRoutes,
  ...scheduleRoutes,
  ...runbookRoutes,
  ...adoptionRoutes,
  ...fleetRoutes,
  ...metricsRoutes,
  ...keyRoutes,
  ...auditRoutes,
  ...sessionRoutes,
];

/** Every route with the documents that describe them, and that document, for the server at `publicUrl`. */
export function apiRoutes(publicUrl: string): { routes: AnyRoute[]; document: Record<string, unknown> } {
  const routes: AnyRoute[] = [...capabilityRoutes, ...docsRoutes(() => document)];
  const document = buildOpenapi(routes, publicUrl);
  return { routes, document };
}
