import type { Db } from '../db/prisma.js';

/** Queued jobs, outbox rows and the age of the oldest outbox row. */
export async function backlog(db: Db): Promise<{ queuedJobs: number; outboxRows: number; outboxOldest: Date | null }> {
  const [queuedJobs, outbox] = await Promise.all([
    db.job.count({ where: { state: 'queued' } }),
    db.outbox.aggregate({ _count: { _all: true }, _min: { createdAt: true } }),
  ]);
  return { queuedJobs, outboxRows: outbox._count._all, outboxOldest: outbox._min.createdAt };
}
