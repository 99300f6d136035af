import type { Job } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import { pruneBackups } from '../src/backups/backups.service.js';
import { runDueSchedules } from '../src/backups/schedules.service.js';
import { reconcile } from '../src/jobs/reconcile.service.js';
import { sweepTimeouts } from '../src/jobs/delivery.service.js';
import { refreshFleetGauges } from '../src/fleet/gauges.service.js';
import { pruneFleet } from '../src/fleet/prune.service.js';
import { drainSamples } from '../src/fleet/samples.service.js';
import { sweepOffline } from '../src/fleet/sweep.service.js';
import { sweepRollouts } from '../src/rollouts/rollouts.service.js';
import type { Deps } from '../src/runtime.js';

// Singleton periodic tasks. Each runs as a BullMQ job scheduler tick, so across any number of
// worker processes one tick runs once; the tasks take their own advisory locks where it matters.

export interface Task {
  everyMs: (deps: Deps) => number;
  run: (deps: Deps) => Promise<unknown>;
}

export const maintenanceTasks: Record<string, Task> = {
  reconcile: { everyMs: (d) => d.config.reconcileIntervalMs, run: reconcile },
  timeouts: { everyMs: (d) => d.config.timeoutSweepIntervalMs, run: (d) => sweepTimeouts(d, 1_000) },
  // Retention is counted in days; an hourly pass keeps the tables within an hour of it.
  backups: { everyMs: () => 3_600_000, run: pruneBackups },
  // Backup schedules fire on the minute at the finest (src/backups/schedules.schema.ts).
  'backup-schedules': { everyMs: () => 60_000, run: runDueSchedules },
  // Fleet health (src/fleet): heartbeat samples into PostgreSQL, offline detection, retention.
  samples: { everyMs: (d) => d.config.fleet.drainIntervalMs, run: (d) => drainSamples(d) },
  offline: { everyMs: (d) => d.config.fleet.sweepIntervalMs, run: sweepOffline },
  fleet: { everyMs: (d) => d.config.fleet.pruneIntervalMs, run: pruneFleet },
  // Rollouts whose launch_at or next batch is due (a backstop: their delayed queue jobs do it first).
  rollouts: { everyMs: (d) => d.config.rolloutSweepIntervalMs, run: sweepRollouts },
  // Fleet-wide Prometheus gauges, computed once per interval for every pod's /metrics.
  'fleet-gauges': { everyMs: () => 15_000, run: refreshFleetGauges },
};

/** Thin: pick the task named by the job, run it, return its report. */
export function maintenanceProcessor(deps: Deps) {
  return async (job: Job): Promise<unknown> => {
    const task = maintenanceTasks[job.name];
    if (!task) throw new UnrecoverableError(`unknown maintenance task ${job.name}`);
    return task.run(deps);
  };
}
