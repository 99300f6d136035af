import { z } from 'zod';
import { text as typedText } from '../http/text.js';
import { uuid } from '../http/validate.js';

export const createSiteBody = z.strictObject({
  name: typedText().trim().min(1).max(100),
});

export const siteParams = z.object({ siteId: uuid.meta({ description: 'The UUID of the site.' }) });

const at = (description: string, example: string | null) => z.iso.datetime().nullable().meta({ description, example });
const text = (example: string) => z.string().nullable().meta({ example });

const siteFields = {
  id: uuid.meta({ description: 'The unique identifier (UUID) for the site.' }),
  name: z.string().meta({ description: 'A human-readable name for the router.', example: 'Branch office' }),
  has_pulse: z.boolean().meta({ description: 'Whether the router is online: its last heartbeat is younger than OFFLINE_AFTER_MISSED heartbeat intervals.', example: true }),
  last_seen_at: at('When the last heartbeat arrived; null if the router never checked in.', '2025-10-29T12:04:30Z'),
  last_seen_from: z.string().nullable().meta({ description: 'The source address of the last heartbeat.', example: '198.51.100.7' }),
  identity: z.string().nullable().meta({ description: "The router's `/system identity` name, as it last reported it.", example: 'HQ-Router' }),
  model: text('RB5009UG+S+'),
  board_name: text('RB5009UG+S+'),
  serial_number: z.string().nullable().meta({ description: 'Adoption finds a router again by this within the organisation.', example: 'HEX0123456' }),
  routerboard: z.boolean().nullable().meta({ description: 'False on CHR and x86.', example: true }),
  hardware_hash: z
    .string()
    .regex(/^[0-9a-f]{40}$/)
    .nullable()
    .meta({ description: 'Changes when the hardware behind the site changes (SHA-1 of model, board, serial number and architecture); null without a serial number.' }),
  architecture_name: text('arm64'),
  software_version: text('7.16.2 (stable)'),
  software_id: text('ABCD-EFGH'),
  runbook_id: uuid.nullable().meta({ description: 'The runbook that adopted the router (tikops addition); null for sites created by hand.' }),
  created_at: z.iso.datetime().meta({ description: 'The timestamp when the site was created.', example: '2025-10-29T12:00:00Z' }),
  updated_at: z.iso.datetime().meta({ description: 'The timestamp when the site was last changed.', example: '2025-10-29T12:00:00Z' }),
  deleted_at: at('When the site was deleted; it is purged when the router confirms, or at purge_at.', null),
  purge_at: at("When a deleted site is purged even without the router's confirmation (tikops addition).", null),
};

/** The site object (the product's field names, README.md; `purge_at` and `runbook_id` are tikops'). */
export const site = z.object(siteFields).meta({ id: 'Site', description: 'A MikroTik router managed by tikops.' });

export const siteWithToken = z
  .object({
    ...siteFields,
    token: z.string().meta({ description: 'The device token the router sends as `Authorization: Bearer` on /poll. Shown once.' }),
  })
  .meta({ id: 'SiteWithToken', description: 'A site with its device token, shown only when created or rotated.' });

export type SiteDto = z.infer<typeof site>;
