import { z } from 'zod';
import { uuid } from '../http/validate.js';
import { keysetQuery } from '../lib/cursor.js';

export const faultsQuery = z.strictObject({
  ...keysetQuery({ max: 100, default: 50 }),
  status: z.enum(['resolved', 'unresolved']).optional(),
});

export const orgFaultsQuery = z.strictObject({
  ...faultsQuery.shape,
  type: z.enum(['site_offline', 'site_rebooted', 'config_rolled_back']).optional().meta({ description: 'Only faults of this type.' }),
  site: uuid.optional().meta({ description: 'Only faults of this site.' }),
});

/** An ISO 8601 date-time with offset, or a date (midnight UTC). */
const instant = z.union([z.iso.datetime({ offset: true }), z.iso.date()]).transform((s) => new Date(s));

export const statsQuery = z.strictObject({
  from: instant.optional().meta({ description: 'ISO 8601 date-time or date.' }),
  to: instant.optional().meta({ description: 'ISO 8601 date-time or date (default: now).' }),
});

const at = (description: string, example: string) => z.iso.datetime().meta({ description, example });
const bytes = (example: number) => z.number().int().nullable().meta({ description: 'Bytes.', example });

export const fault = z
  .object({
    id: uuid,
    site_id: uuid,
    type: z.enum(['site_offline', 'site_rebooted', 'config_rolled_back']),
    status: z.enum(['unresolved', 'resolved']),
    severity: z.enum(['critical', 'high', 'low']),
    message: z.string().meta({ example: 'Site Offline: HQ-Router' }),
    cause: z.string().meta({ example: 'Disconnected' }),
    created_at: at('When the fault began: for site_offline the first missed heartbeat.', '2025-10-29T12:05:00Z'),
    resolved_at: z.iso.datetime().nullable().meta({ description: 'When it ended (the next heartbeat); a reboot is resolved when it is recorded.', example: null }),
    detected_at: at('When tikops recorded it (an outage is noticed OFFLINE_AFTER_MISSED intervals after it began).', '2025-10-29T12:09:30Z'),
    duration_seconds: z.number().int().min(0).meta({ description: 'How long it lasted, or has lasted so far.' }),
  })
  .meta({ id: 'Fault', description: 'A health fault of a site.' });

export type FaultDto = z.infer<typeof fault>;

export const statPoint = z
  .object({
    created_at: at('The sample time, or the start of the hour.', '2025-10-29T12:00:00Z'),
    cpu_load: z.number().int().nullable().meta({ description: 'Percent.', example: 3 }),
    memory_free: bytes(850_000_000),
    disk_free: bytes(900_000_000),
    uptime: z.number().int().nullable().meta({ description: 'Seconds (the highest of the hour when aggregated).', example: 93_338 }),
  })
  .meta({ id: 'StatPoint', description: 'Resource figures from heartbeats: one sample, or an hourly average for ranges over 48 hours.' });

export type StatPointDto = z.infer<typeof statPoint>;

export const siteMetrics = z
  .object({
    uptime_percentage: z
      .number()
      .min(0)
      .max(100)
      .nullable()
      .meta({ description: 'Percent of the window the site was up; null while the site has never checked in.', example: 99.98 }),
    downtime_duration_seconds: z.number().int().min(0).meta({ example: 17 }),
    last_status: z.enum(['online', 'offline']),
    last_seen_at: z.iso.datetime().nullable().meta({ description: 'When the last heartbeat arrived.', example: '2025-10-29T12:04:30Z' }),
  })
  .meta({ id: 'SiteMetrics', description: 'Availability over the last 24 hours (or since the site was created).' });

export type AvailabilityDto = z.infer<typeof siteMetrics>;

const count = (description: string) => z.number().int().min(0).meta({ description });

export const fleetSummary = z
  .object({
    sites: z
      .object({
        total: count('Every site of the organisation (as GET /site lists them).'),
        online: count('Heard from, with no open outage (GET /site?status=online).'),
        offline: count('An open outage, or never heard from (GET /site?status=offline).'),
      })
      .meta({ description: 'As the offline sweep last saw them.' }),
    versions: z
      .array(z.object({ version: z.string().nullable().meta({ description: 'As the router reports it; null: not reported yet.', example: '7.16.2 (stable)' }), sites: count('Sites running it.') }))
      .meta({ description: 'Sites per RouterOS version, most common first.' }),
    open_faults: z
      .object({ site_offline: count('Sites offline now.'), site_rebooted: count('Unresolved reboot faults (reboots are recorded resolved, so normally 0).') })
      .meta({ description: 'Unresolved faults by type.' }),
    jobs_last_24h: z
      .object({
        queued: count('Created in the last 24 hours and in this state now.'),
        delivered: count('Likewise.'),
        started: count('Likewise.'),
        completed: count('Likewise.'),
        failed: count('Likewise.'),
        cancelled: count('Likewise.'),
        timed_out: count('Likewise.'),
        awaiting_confirmation: count('Likewise: rollback jobs waiting for their confirmation (docs/rollback.md).'),
        rolled_back: count('Likewise: rollback jobs the router reverted.'),
      })
      .meta({ description: 'Jobs created in the last 24 hours, by their state now.' }),
    generated_at: z.iso.datetime().meta({ description: 'When the figures were read.', example: '2025-10-29T12:00:00Z' }),
  })
  .meta({ id: 'FleetSummary', description: "The organisation's fleet at a glance (tikops addition)." });

export type FleetSummaryDto = z.infer<typeof fleetSummary>;
