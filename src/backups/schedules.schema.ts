import { Cron } from 'croner';
import { z } from 'zod';
import { uuid } from '../http/validate.js';
import { keysetQuery } from '../lib/cursor.js';
import { siteTag } from '../sites/sites.schema.js';

/** The closest two runs of one schedule may be: backups are exports of whole configurations. */
export const MIN_INTERVAL_SECONDS = 3_600;
/** Longest window a run's backups may be spread over. */
export const MAX_SPREAD_MINUTES = 1_440;

/** A time zone the runtime knows (IANA name, e.g. `Europe/Riga`). */
const timeZone = z.string().min(1).max(64).refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'expected an IANA time zone such as Europe/Riga or UTC');

/** The next `n` run times of a pattern in `tz` after `from` (croner: https://croner.56k.guru/usage/pattern/). */
export function nextRuns(pattern: string, tz: string, from: Date, n: number): Date[] {
  return new Cron(pattern, { timezone: tz, paused: true }).nextRuns(n, from);
}

/** Why a five-field cron pattern is unusable as a backup schedule, or null. */
function cronProblem(pattern: string): string | null {
  if (pattern.trim().split(/\s+/).length !== 5) return 'expected five fields: minute hour day-of-month month day-of-week';
  let runs: Date[];
  try {
    runs = nextRuns(pattern, 'UTC', new Date(0), 200);
  } catch (err) {
    return err instanceof Error ? err.message : 'not a cron pattern';
  }
  if (runs.length === 0) return 'the pattern never fires';
  for (let i = 1; i < runs.length; i++) {
    if (runs[i]!.getTime() - runs[i - 1]!.getTime() < MIN_INTERVAL_SECONDS * 1000) {
      return `runs must be at least ${MIN_INTERVAL_SECONDS / 3600} hour apart`;
    }
  }
  return null;
}

const cron = z
  .string()
  .max(100)
  .superRefine((p, ctx) => {
    const problem = cronProblem(p);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const createScheduleBody = z
  .strictObject({
    site_id: uuid.optional().meta({ description: 'Back up this site (give site_id or tag).' }),
    tag: siteTag.optional().meta({ description: 'Back up every site that has this tag when the run starts (give site_id or tag).' }),
    cron: cron.meta({
      description: `When to run: a five-field cron pattern read in \`time_zone\` (runs at least ${MIN_INTERVAL_SECONDS / 3600} hour apart). Daily at 03:00 is \`0 3 * * *\`; every 6 hours \`0 */6 * * *\`.`,
      example: '0 3 * * *',
    }),
    time_zone: timeZone.default('UTC').meta({ description: 'The IANA time zone the pattern is read in.', example: 'Europe/Riga' }),
    spread_minutes: z.number().int().min(0).max(MAX_SPREAD_MINUTES).default(60).meta({
      description: "Each run's backups start at a fixed offset per site within this many minutes after the run time, so a large fleet does not export all at once.",
    }),
    notify_url: z.url({ protocol: /^https?$/ }).max(2048).optional().meta({
      description: "Receives the backup jobs' webhooks, including `config.changed` when a backup differs from the previous one.",
    }),
  })
  .refine((b) => (b.site_id === undefined) !== (b.tag === undefined), 'give exactly one of site_id and tag');

export type CreateScheduleInput = z.output<typeof createScheduleBody>;

export const scheduleParams = z.object({ scheduleId: uuid.meta({ description: 'The UUID of the backup schedule.' }) });

export const listSchedulesQuery = z.object(keysetQuery({ max: 500, default: 100 }));

export const schedule = z
  .object({
    id: uuid,
    site_id: uuid.nullable(),
    tag: z.string().nullable(),
    cron: z.string(),
    time_zone: z.string(),
    spread_minutes: z.number().int(),
    notify_url: z.string().nullable(),
    next_run_at: z.iso.datetime().meta({ description: 'When the next run creates its backup jobs.' }),
    last_run_at: z.iso.datetime().nullable(),
    created_by: z.string().nullable(),
    created_at: z.iso.datetime(),
  })
  .meta({ id: 'BackupSchedule', description: 'A recurring backup of one site, or of every site with a tag.' });

export type ScheduleDto = z.infer<typeof schedule>;
