import type { Db } from '../db/prisma.js';

/** Queued jobs, outbox rows and the age of the oldest outbox row, in one round trip. */
export async function backlog(db: Db): Promise<{ queuedJobs: number; outboxRows: number; outboxOldest: Date | null }> {
  const [row] = await db.$queryRaw<{ queuedJobs: number; outboxRows: number; outboxOldest: Date | null }[]>`
    SELECT (SELECT count(*) FROM job WHERE state = 'queued')::int AS "queuedJobs",
           (SELECT count(*) FROM outbox)::int AS "outboxRows",
           (SELECT min(created_at) FROM outbox) AS "outboxOldest"`;
  return row ?? { queuedJobs: 0, outboxRows: 0, outboxOldest: null };
}
