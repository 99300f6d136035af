import { z } from 'zod';
import { defineRoute, empty, json, jsonBody } from '../http/route.js';
import { PAGE_HEADERS, setNextPageHeaders } from '../lib/cursor.js';
import { createScheduleBody, listSchedulesQuery, schedule, scheduleParams } from './schedules.schema.js';
import * as schedules from './schedules.service.js';

/** Backup schedules: recurring backups of a site or of every site with a tag (docs/backups.md). */
export const scheduleRoutes = [
  defineRoute({
    method: 'POST',
    path: '/backup-schedules',
    operationId: 'createBackupSchedule',
    tags: ['Backups'],
    summary: 'Schedule recurring backups',
    description:
      "Each run creates an ordinary backup job per site (a tag's sites as they are when the run starts; sites known to run RouterOS v6 are skipped), each starting at its own offset within `spread_minutes`. A backup equal to the site's latest one is recorded as unchanged, not stored again; one that differs raises `config.changed`.",
    auth: { operator: ['backups:write'] },
    body: jsonBody(createScheduleBody),
    responses: { 201: json(schedule, 'The schedule, with its first run time.') },
    errors: ['site_not_found'],
    handler: ({ deps, caller, input }) => schedules.createSchedule(deps, caller, input.body),
  }),

  defineRoute({
    method: 'GET',
    path: '/backup-schedules',
    operationId: 'listBackupSchedules',
    tags: ['Backups'],
    summary: "List the organisation's backup schedules",
    description: 'Newest first. Pass the X-Next-Cursor value as `cursor` for the next page.',
    auth: { operator: ['backups:read'] },
    query: listSchedulesQuery,
    responses: { 200: json(z.array(schedule), 'The schedules.', PAGE_HEADERS) },
    async handler({ deps, caller, input: { query }, header }) {
      const page = await schedules.listSchedules(deps, caller.org, query);
      setNextPageHeaders(header, '/backup-schedules', query, page.nextCursor);
      return page.items;
    },
  }),

  defineRoute({
    method: 'GET',
    path: '/backup-schedules/{scheduleId}',
    operationId: 'getBackupSchedule',
    tags: ['Backups'],
    summary: 'Retrieve a backup schedule',
    auth: { operator: ['backups:read'] },
    params: scheduleParams,
    responses: { 200: json(schedule, 'The schedule.') },
    errors: ['backup_schedule_not_found'],
    handler: ({ deps, caller, input }) => schedules.getSchedule(deps, caller.org, input.params.scheduleId),
  }),

  defineRoute({
    method: 'DELETE',
    path: '/backup-schedules/{scheduleId}',
    operationId: 'deleteBackupSchedule',
    tags: ['Backups'],
    summary: 'Delete a backup schedule',
    description: 'No further runs; backup jobs an earlier run requested still run.',
    auth: { operator: ['backups:write'] },
    params: scheduleParams,
    responses: { 204: empty('Deleted.') },
    errors: ['backup_schedule_not_found'],
    handler: ({ deps, caller, input }) => schedules.deleteSchedule(deps, caller, input.params.scheduleId).then(() => undefined),
  }),
];
