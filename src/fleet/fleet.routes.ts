import { z } from 'zod';
import { defineRoute, json } from '../http/route.js';
import { PAGE_HEADERS, setNextPageHeaders } from '../lib/cursor.js';
import { siteParams } from '../sites/sites.schema.js';
import { fault, faultsQuery, fleetSummary, orgFaultsQuery, siteMetrics, statPoint, statsQuery } from './fleet.schema.js';
import * as health from './health.service.js';
import { fleetSummary as summarise } from './summary.service.js';

/** Operator health API: the fleet summary; one site's faults, resource stats, 24-hour availability. */
export const fleetRoutes = [
  defineRoute({
    method: 'GET',
    path: '/fleet/summary',
    operationId: 'getFleetSummary',
    tags: ['Fleet health'],
    summary: "The organisation's fleet at a glance",
    description: 'Sites online and offline, sites per RouterOS version, open faults by type, and the jobs created in the last 24 hours by state.',
    auth: { operator: ['sites:read', 'jobs:read'] },
    responses: { 200: json(fleetSummary, 'The summary.') },
    handler: ({ deps, caller }) => summarise(deps, caller.org),
  }),

  defineRoute({
    method: 'GET',
    path: '/faults',
    operationId: 'listFaults',
    tags: ['Fleet health'],
    summary: "List the organisation's faults",
    description: 'Faults of every site of the organisation, newest first, optionally by status, type and site. Pass the X-Next-Cursor value as `cursor` for the next page.',
    auth: { operator: ['sites:read'] },
    query: orgFaultsQuery,
    responses: { 200: json(z.array(fault), 'A page of faults.', PAGE_HEADERS) },
    async handler({ deps, caller, input: { query }, header }) {
      const page = await health.listOrgFaults(deps, caller.org, query);
      setNextPageHeaders(header, '/faults', query, page.nextCursor);
      return page.items;
    },
  }),

  defineRoute({
    method: 'GET',
    path: '/site/{siteId}/faults',
    operationId: 'listSiteFaults',
    tags: ['Fleet health'],
    summary: "List a site's faults",
    auth: { operator: ['sites:read'] },
    params: siteParams,
    query: faultsQuery,
    description: 'Pass the X-Next-Cursor value as `cursor` for the next page.',
    responses: { 200: json(z.array(fault), 'The faults, newest first.', PAGE_HEADERS) },
    errors: ['site_not_found'],
    async handler({ deps, caller, input: { params, query: q }, header }) {
      const page = await health.listFaults(deps, caller.org, params.siteId, { limit: q.limit, cursor: q.cursor, status: q.status ?? null });
      setNextPageHeaders(header, `/site/${params.siteId}/faults`, q, page.nextCursor);
      return page.items;
    },
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
