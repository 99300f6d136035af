import { z } from 'zod';
import { defineRoute, json } from '../http/route.js';
import { siteParams } from '../sites/sites.schema.js';
import { fault, faultsQuery, siteMetrics, statPoint, statsQuery } from './fleet.schema.js';
import * as health from './health.service.js';

/** Operator health API of one site: faults, resource stats, 24-hour availability. */
export const fleetRoutes = [
  defineRoute({
    method: 'GET',
    path: '/site/{siteId}/faults',
    operationId: 'listSiteFaults',
    tags: ['Fleet health'],
    summary: "List a site's faults",
    auth: { operator: ['sites:read'] },
    params: siteParams,
    query: faultsQuery,
    responses: { 200: json(z.array(fault), 'The faults, newest first.') },
    errors: ['site_not_found'],
    handler: ({ deps, caller, input: { params, query: q } }) =>
      health.listFaults(deps, caller.org, params.siteId, { limit: q.limit, status: q.status ?? null }),
  }),

  defineRoute({
    method: 'GET',
    path: '/site/{siteId}/stats',
    operationId: 'getSiteStats',
    tags: ['Fleet health'],
    summary: "A site's resource stats",
    description: 'Samples in [from, to) (default: the last 24 hours); ranges over 48 hours are aggregated per hour.',
    auth: { operator: ['sites:read'] },
    params: siteParams,
    query: statsQuery,
    responses: { 200: json(z.array(statPoint), 'The points, oldest first.') },
    errors: ['site_not_found'],
    handler: ({ deps, caller, input: { params, query: q } }) => health.siteStats(deps, caller.org, params.siteId, { from: q.from, to: q.to }),
  }),

  defineRoute({
    method: 'GET',
    path: '/site/{siteId}/metrics',
    operationId: 'getSiteMetrics',
    tags: ['Fleet health'],
    summary: "A site's availability over the last 24 hours",
    auth: { operator: ['sites:read'] },
    params: siteParams,
    responses: { 200: json(siteMetrics, 'Uptime percentage and downtime.') },
    errors: ['site_not_found'],
    handler: ({ deps, caller, input }) => health.siteAvailability(deps, caller.org, input.params.siteId),
  }),
];
