import type { Job } from 'bullmq';
import { queueDefs } from '../src/queues/definitions.js';
import type { Deps } from '../src/runtime.js';
import { stepRollout, type StepResult } from '../src/rollouts/rollouts.service.js';

/** Thin: parse the rollout id and run one (idempotent) step of it. */
export function rolloutProcessor(deps: Deps): (job: Job) => Promise<Pick<StepResult, 'did'>> {
  return async (job) => {
    const { rolloutId } = queueDefs.rollout.payload.parse(job.data);
    const { did } = await stepRollout(deps, rolloutId);
    return { did };
  };
}
