import { z } from 'zod';
import { defineRoute, json } from '../http/route.js';
import { auditEvent, auditQuery } from './audit.schema.js';
import { listAudit } from './audit.service.js';

/** GET /audit: the organisation's audit log, newest first. */
export const auditRoutes = [
  defineRoute({
    method: 'GET',
    path: '/audit',
    operationId: 'listAuditEvents',
    tags: ['Access'],
    summary: 'List audit events',
    description:
      "Every state-changing operator call of the organisation (sites, device tokens, management endpoints, jobs, backups, runbooks, API keys), newest first. Pass the X-Next-Cursor value as `cursor` for the next page.",
    auth: { operator: ['audit:read'] },
    query: auditQuery,
    responses: {
      200: json(z.array(auditEvent), 'The events, newest first.', { 'X-Next-Cursor': 'Present when there is another page: its cursor.' }),
    },
    async handler({ deps, caller, input: { query }, header }) {
      const { events, nextCursor } = await listAudit(deps, caller.org, query);
      if (nextCursor) header('X-Next-Cursor', nextCursor);
      return events;
    },
  }),
];
