import { defineRoute, empty, json, jsonBody } from '../http/route.js';
import { managementBody, managementEndpoint, siteParams } from './express.schema.js';
import * as management from './management.service.js';

const path = '/site/{siteId}/management';

/** Operator API for a site's management endpoint (what express execute calls): set, get, remove. */
export const expressRoutes = [
  defineRoute({
    method: 'PUT',
    path,
    operationId: 'setSiteManagement',
    tags: ['Sites'],
    summary: 'Set the management endpoint',
    description:
      "Creates or replaces the router's RouterOS REST endpoint that express execute calls (`POST /rest/execute` running the poll script). A full replacement: send the password every time; it is stored sealed and never returned.",
    auth: { operator: ['sites:write'] },
    params: siteParams,
    body: jsonBody(managementBody),
    responses: { 200: json(managementEndpoint, 'The endpoint, without the password.') },
    errors: ['site_not_found'],
    handler: ({ deps, caller, input }) => management.putManagement(deps, caller, input.params.siteId, input.body),
  }),

  defineRoute({
    method: 'GET',
    path,
    operationId: 'getSiteManagement',
    tags: ['Sites'],
    summary: 'Retrieve the management endpoint',
    auth: { operator: ['sites:read'] },
    params: siteParams,
    responses: { 200: json(managementEndpoint, 'The endpoint, without the password.') },
    errors: ['site_not_found', 'management_not_configured'],
    handler: ({ deps, caller, input }) => management.getManagement(deps, caller.org, input.params.siteId),
  }),

  defineRoute({
    method: 'DELETE',
    path,
    operationId: 'deleteSiteManagement',
    tags: ['Sites'],
    summary: 'Remove the management endpoint',
    description: 'Express execute is then no longer possible for the site; removing an absent endpoint is harmless.',
    auth: { operator: ['sites:write'] },
    params: siteParams,
    responses: { 204: empty('Removed.') },
    errors: ['site_not_found'],
    handler: ({ deps, caller, input }) => management.deleteManagement(deps, caller, input.params.siteId).then(() => undefined),
  }),
];
