import { z } from 'zod';
import { defineRoute, json, jsonBody, text } from '../http/route.js';
import { PAGE_HEADERS, setNextPageHeaders } from '../lib/cursor.js';
import { backup, type BackupDto, backupParams, backupRequested, bulkLatest, bulkLatestBody, diffParams, listQuery, requestHeaders, siteParams } from './backups.schema.js';
import * as backups from './backups.service.js';

/** A backup's text as a response: ETag and filename headers. */
const backupText = (description: string) =>
  text(description, { headers: { ETag: 'The quoted SHA-256 of the content.', 'Content-Disposition': '`inline; filename="<filename>"`.' } });

function served(header: (name: string, value: string) => void, found: { backup: BackupDto; content: Buffer }): Buffer {
  header('ETag', `"${found.backup.sha256}"`);
  header('Content-Disposition', `inline; filename="${found.backup.filename}"`);
  return found.content;
}

/** Operator backup API: list a site's backups, download one, request one now. */
export const backupRoutes = [
  defineRoute({
    method: 'GET',
    path: '/site/{siteId}/backup',
    operationId: 'listSiteBackups',
    tags: ['Backups'],
    summary: "List a site's backups",
    auth: { operator: ['backups:read'] },
    params: siteParams,
    query: listQuery,
    description: 'Pass the X-Next-Cursor value as `cursor` for the next page.',
    responses: { 200: json(z.array(backup), 'The backups, newest first.', PAGE_HEADERS) },
    errors: ['site_not_found'],
    async handler({ deps, caller, input: { params, query }, header }) {
      const page = await backups.listBackups(deps, caller.org, params.siteId, query);
      setNextPageHeaders(header, `/site/${params.siteId}/backup`, query, page.nextCursor);
      return page.items;
    },
  }),

  defineRoute({
    method: 'POST',
    path: '/site/{siteId}/backup',
    operationId: 'requestSiteBackup',
    tags: ['Backups'],
    summary: 'Request a backup now',
    description:
      "Queues a backup-only job (should_backup, empty script) for the site's next poll. Replaying the same X-Idempotency-Key returns the same job.",
    auth: { operator: ['backups:write'] },
    params: siteParams,
    headers: requestHeaders,
    responses: { 202: json(backupRequested, 'The backup job was queued.') },
    errors: ['site_not_found', 'idempotency_key_reused', 'backup_requires_v7'],
    handler: ({ deps, caller, input }) => backups.requestBackup(deps, caller, input.params.siteId, input.headers['x-idempotency-key']),
  }),

  defineRoute({
    method: 'GET',
    path: '/site/{siteId}/backup/latest',
    operationId: 'getLatestSiteBackup',
    tags: ['Backups'],
    summary: "The site's newest backup",
    auth: { operator: ['backups:read'] },
    params: siteParams,
    responses: { 200: backupText("The newest backup's export text.") },
    errors: ['site_not_found', 'backup_not_found'],
    handler: async ({ deps, caller, input: { params }, header }) => served(header, await backups.getLatestBackup(deps, caller.org, params.siteId)),
  }),

  defineRoute({
    method: 'GET',
    path: '/site/{siteId}/backup/{from}/diff/{to}',
    operationId: 'diffSiteBackups',
    tags: ['Backups'],
    summary: 'Diff two backups',
    description: 'A unified diff (as `diff -u` writes it) from backup `from` to backup `to` of the same site.',
    auth: { operator: ['backups:read'] },
    params: diffParams,
    responses: { 200: text('The unified diff; only its header lines when the two are identical.') },
    errors: ['site_not_found', 'backup_not_found'],
    handler: ({ deps, caller, input: { params } }) => backups.diffBackups(deps, caller.org, params.siteId, params.from, params.to),
  }),

  defineRoute({
    method: 'POST',
    path: '/backups/latest',
    operationId: 'getLatestBackups',
    tags: ['Backups'],
    summary: 'The newest backup of many sites',
    description: 'Each site is looked up in the caller\'s org: a site of another org, or one without backups, is reported under `errors`.',
    auth: { operator: ['backups:read'] },
    body: jsonBody(bulkLatestBody),
    responses: { 200: json(bulkLatest, 'One result or error per site.') },
    errors: [],
    handler: ({ deps, caller, input: { body } }) => backups.latestBackups(deps, caller.org, body.sites ?? body.site_ids ?? []),
  }),

  defineRoute({
    method: 'GET',
    path: '/site/{siteId}/backup/{filename}',
    operationId: 'getSiteBackup',
    tags: ['Backups'],
    summary: 'Download a backup',
    auth: { operator: ['backups:read'] },
    params: backupParams,
    responses: { 200: backupText('The exact export the router uploaded.') },
    errors: ['site_not_found', 'backup_not_found'],
    handler: async ({ deps, caller, input: { params }, header }) =>
      served(header, await backups.getBackup(deps, caller.org, params.siteId, params.filename)),
  }),
];
