import { z } from 'zod';
import { text } from '../http/text.js';
import { headerBool, uuid } from '../http/validate.js';
import { keysetQuery } from '../lib/cursor.js';

export const createSiteBody = z.strictObject({
  name: text().trim().min(1).max(100),
});

/** A tag: printable text without commas or surrounding spaces (tags are matched exactly). */
export const siteTag = text()
  .min(1)
  .max(64)
  .regex(/^[^\s,\p{Cc}](?:[^,\p{Cc}]*[^\s,\p{Cc}])?$/u, 'expected 1-64 printable characters, no commas or surrounding spaces');

export const MAX_TAGS = 32;
export const MAX_METADATA_KEYS = 32;

/** PATCH /site/{siteId}: the fields given replace the stored ones; at least one is required. */
export const updateSiteBody = z
  .strictObject({
    name: createSiteBody.shape.name.optional(),
    tags: z
      .array(siteTag)
      .max(MAX_TAGS)
      .transform((t) => [...new Set(t)])
      .optional()
      .meta({ description: `The site's tags (at most ${MAX_TAGS}; duplicates are dropped). Replaces the current list.`, example: ['branch', 'eu-west'] }),
    metadata: z
      .record(z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'expected a key of 1-64 letters, digits, `_.:-`'), text().max(1024))
      .refine((m) => Object.keys(m).length <= MAX_METADATA_KEYS, `at most ${MAX_METADATA_KEYS} keys`)
      .optional()
      .meta({ description: `Custom key/value pairs (string values up to 1,024 characters, at most ${MAX_METADATA_KEYS} keys). Replaces the current object.`, example: { rack: 'B2', contract: 'ACME-2291' } }),
  })
  .refine((b) => b.name !== undefined || b.tags !== undefined || b.metadata !== undefined, 'name, tags or metadata is required');

/** A software version as RouterOS reports it (`7.16.2` or `7.16.2 (stable)`). */
const version = z.string().regex(/^[0-9][0-9A-Za-z.]{0,31}(?: \([a-z-]{1,20}\))?$/, 'expected a RouterOS version such as 7.16.2');

export const listSitesQuery = z.strictObject({
  ...keysetQuery({ max: 500, default: 100 }),
  tag: siteTag.optional().meta({ description: 'Only sites carrying this tag.' }),
  status: z.enum(['online', 'offline']).optional().meta({
    description:
      'online: heard from and no open outage; offline: an open outage or never heard from. As the offline sweep last saw it (has_pulse is read live, so the two can differ for up to one sweep).',
  }),
  version: version.optional().meta({ description: 'Only sites running this version: `7.16.2` matches it on any channel, `7.16.2 (stable)` only that spelling.' }),
  model: text().min(1).max(100).optional().meta({ description: 'Only sites of this model (exact, e.g. `RB5009UG+S+`).' }),
  q: text().min(1).max(100).optional().meta({ description: 'A case-insensitive prefix of the name or the identity.' }),
  has_open_fault: headerBool.optional().meta({ description: '`true`: only sites with an unresolved fault; `false`: only sites without one.' }),
});

export const siteParams = z.object({ siteId: uuid.meta({ description: 'The UUID of the site.' }) });

const at = (description: string, example: string | null) => z.iso.datetime().nullable().meta({ description, example });
/** A fact the router reports; null until it has. */
const reported = (example: string) => z.string().nullable().meta({ example });

const siteFields = {
  id: uuid.meta({ description: 'The unique identifier (UUID) for the site.' }),
  name: z.string().meta({ description: 'A human-readable name for the router.', example: 'Branch office' }),
  has_pulse: z.boolean().meta({ description: 'Whether the router is online: its last heartbeat is younger than OFFLINE_AFTER_MISSED heartbeat intervals.', example: true }),
  last_seen_at: at('When the last heartbeat arrived; null if the router never checked in.', '2025-10-29T12:04:30Z'),
  last_seen_from: z.string().nullable().meta({ description: 'The source address of the last heartbeat.', example: '198.51.100.7' }),
  identity: z.string().nullable().meta({ description: "The router's `/system identity` name, as it last reported it.", example: 'HQ-Router' }),
  model: reported('RB5009UG+S+'),
  board_name: reported('RB5009UG+S+'),
  serial_number: z.string().nullable().meta({ description: 'Adoption finds a router again by this within the organisation.', example: 'HEX0123456' }),
  routerboard: z.boolean().nullable().meta({ description: 'False on CHR and x86.', example: true }),
  hardware_hash: z
    .string()
    .regex(/^[0-9a-f]{40}$/)
    .nullable()
    .meta({ description: 'Changes when the hardware behind the site changes (SHA-1 of model, board, serial number and architecture); null without a serial number.' }),
  architecture_name: reported('arm64'),
  software_version: reported('7.16.2 (stable)'),
  software_id: reported('ABCD-EFGH'),
  runbook_id: uuid.nullable().meta({ description: 'The runbook that adopted the router (tikops addition); null for sites created by hand.' }),
  created_at: z.iso.datetime().meta({ description: 'The timestamp when the site was created.', example: '2025-10-29T12:00:00Z' }),
  updated_at: z.iso.datetime().meta({ description: 'The timestamp when the site was last changed.', example: '2025-10-29T12:00:00Z' }),
  deleted_at: at('When the site was deleted; it is purged when the router confirms, or at purge_at.', null),
  purge_at: at("When a deleted site is purged even without the router's confirmation (tikops addition).", null),
  tags: z.array(z.string()).meta({ description: 'Operator labels (tikops addition).', example: ['branch', 'eu-west'] }),
  metadata: z.record(z.string(), z.string()).meta({ description: 'Operator key/value pairs (tikops addition).', example: { rack: 'B2' } }),
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
