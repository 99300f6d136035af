import { AppError } from '../errors.js';
import * as jobs from '../jobs/jobs.service.js';
import { HeartbeatParseError, parseHeartbeat } from '../routeros/heartbeat.js';
import type { Deps } from '../runtime.js';
import type { DeviceIdentity } from '../sites/device-token.js';

const MAX_ROUNDS = 5;

/** Validates the heartbeat body; a malformed one is a 400 naming the field. */
export function readHeartbeat(body: string): ReturnType<typeof parseHeartbeat> {
  try {
    return parseHeartbeat(body);
  } catch (err) {
    if (err instanceof HeartbeatParseError) {
      throw new AppError('heartbeat_invalid', { param: err.param, message: `The heartbeat is malformed: ${err.message}.` });
    }
    throw err;
  }
}

/**
 * The router's check-in: one Redis script records it and pops at most one job; the job is then
 * claimed in PostgreSQL and wrapped. Returns '' when there is nothing to run.
 */
export async function nextScript(deps: Deps, device: DeviceIdentity, from: string): Promise<string> {
  const leaseMs = deps.config.jobLeaseSeconds * 1000;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const popped = await deps.dispatch.popNext(device.siteId, device.tokenVersion, deps.clock(), leaseMs, from);
    if (popped.kind === 'idle') return '';
    if (popped.kind === 'cold') {
      // Redis lost the site (or never knew it): rebuild it from PostgreSQL once, then retry.
      if (round > 0 || !(await jobs.restoreSiteDispatch(deps, device.siteId))) throw new AppError('device_token_invalid');
      continue;
    }
    const script = await jobs.deliver(deps, device.siteId, popped.jobId, popped.remaining);
    if (script !== null) return script;
  }
  return '';
}
