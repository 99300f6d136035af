import { z } from 'zod';
import { defineRoute, json, jsonBody, text } from '../http/route.js';
import { PAGE_HEADERS, setNextPageHeaders } from '../lib/cursor.js';
import { createSiteBody, listSitesQuery, site, siteParams, siteWithToken, updateSiteBody } from './sites.schema.js';
import * as sites from './sites.service.js';
import { deleteSite, notifyDeleted } from './deletion.service.js';

/**
 * Operator site API: create (returns the device token), list, get, update, rotate the device token, delete;
 * and the router's confirmation that it removed its agent (device token).
 */
export const siteRoutes = [
  defineRoute({
    method: 'POST',
    path: '/site',
    operationId: 'createSite',
    tags: ['Sites'],
    summary: 'Create a site',
    auth: { operator: ['sites:write'] },
    body: jsonBody(createSiteBody),
    responses: { 201: json(siteWithToken, 'The site, with its device token.') },
    handler: ({ deps, caller, input }) => sites.createSite(deps, caller, input.body),
  }),

  defineRoute({
    method: 'GET',
    path: '/site',
    operationId: 'listSites',
    tags: ['Sites'],
    summary: "List the organisation's sites",
    description: 'Sites ordered by creation date (most recent first), filtered by every parameter given. Pass the X-Next-Cursor value as `cursor` for the next page.',
    auth: { operator: ['sites:read'] },
    query: listSitesQuery,
    responses: { 200: json(z.array(site), 'The sites.', PAGE_HEADERS) },
    async handler({ deps, caller, input: { query }, header }) {
      const page = await sites.listSites(deps, caller.org, query);
      setNextPageHeaders(header, '/site', query, page.nextCursor);
      return page.items;
    },
  }),

  defineRoute({
    method: 'GET',
    path: '/site/{siteId}',
    operationId: 'getSite',
    tags: ['Sites'],
    summary: 'Retrieve a site',
    auth: { operator: ['sites:read'] },
    params: siteParams,
    responses: { 200: json(site, 'The site.') },
    errors: ['site_not_found'],
    handler: ({ deps, caller, input }) => sites.getSite(deps, caller.org, input.params.siteId),
  }),

  defineRoute({
    method: 'PATCH',
    path: '/site/{siteId}',
    operationId: 'updateSite',
    tags: ['Sites'],
    summary: 'Rename, tag or annotate a site',
    description: 'Sets the fields given: `name`, `tags` (replaces the list) and `metadata` (replaces the object).',
    auth: { operator: ['sites:write'] },
    params: siteParams,
    body: jsonBody(updateSiteBody),
    responses: { 200: json(site, 'The updated site.') },
    errors: ['site_not_found'],
    handler: ({ deps, caller, input }) => sites.updateSite(deps, caller, input.params.siteId, input.body),
  }),

  defineRoute({
    method: 'POST',
    path: '/site/{siteId}/token',
    operationId: 'rotateSiteToken',
    tags: ['Sites'],
    summary: 'Rotate the device token',
    description: 'Issues a new device token; every earlier token of the site stops working at once.',
    auth: { operator: ['sites:write'] },
    params: siteParams,
    responses: { 200: json(siteWithToken, 'The site, with its new device token.') },
    errors: ['site_not_found'],
    handler: ({ deps, caller, input }) => sites.rotateToken(deps, caller, input.params.siteId),
  }),

  defineRoute({
    method: 'DELETE',
    path: '/site/{siteId}',
    operationId: 'deleteSite',
    tags: ['Sites'],
    summary: 'Delete a site',
    description:
      'Schedules the site for deletion: a job makes the router confirm (POST /notify/delete, which purges the site) and remove its agent; without confirmation the site is purged at purge_at (SITE_DELETE_GRACE_HOURS). Repeating it changes nothing.',
    auth: { operator: ['sites:write'] },
    params: siteParams,
    responses: { 202: json(site, 'The site, with deleted_at and purge_at set.') },
    errors: ['site_not_found'],
    handler: ({ deps, caller, input }) => deleteSite(deps, caller, input.params.siteId),
  }),

  defineRoute({
    method: 'POST',
    path: '/notify/delete',
    operationId: 'notifyDelete',
    tags: ['Device'],
    summary: 'The router confirms the removal of its deleted site',
    description: 'Called by the removal job of a deleted site; purges the site at once. Its device token stops working.',
    auth: 'device',
    limit: 'address',
    responses: { 200: text('`ok`', { example: 'ok' }) },
    errors: ['site_not_deleting'],
    handler: async ({ deps, caller }) => {
      await notifyDeleted(deps, caller);
      return 'ok';
    },
  }),
];
