import { AppError } from '../errors.js';
import * as jobs from '../jobs/delivery.service.js';
import type { PollFacts } from '../redis/dispatch.js';
import { HeartbeatParseError, heartbeatUptime, parseHeartbeat, scanHeartbeat, type Heartbeat } from '../routeros/heartbeat.js';
import type { Deps } from '../runtime.js';
import type { DeviceIdentity } from '../tokens/device-token.js';

const MAX_ROUNDS = 5;

const limits = (deps: Deps) => ({
  defaultLeaseSeconds: deps.config.jobLeaseSeconds,
  sampleIntervalMs: deps.config.fleet.sampleIntervalMs,
  sampleStreamMax: deps.config.fleet.sampleStreamMax,
});

/** A malformed heartbeat is a 400 naming the field. */
function heartbeatError(err: unknown): unknown {
  if (!(err instanceof HeartbeatParseError)) return err;
  return new AppError('heartbeat_invalid', { param: err.param, message: `The heartbeat is malformed: ${err.message}.` });
}

/** Validates the heartbeat body; a malformed one is a 400 naming the field. */
export function readHeartbeat(body: string): Heartbeat {
  try {
    return parseHeartbeat(body);
  } catch (err) {
    throw heartbeatError(err);
  }
}

/**
 * The router's check-in: one Redis script records it and pops at most one job; the job is then
 * claimed in PostgreSQL and wrapped. Returns '' when there is nothing to run.
 */
export async function nextScript(deps: Deps, device: DeviceIdentity, poll: PollFacts): Promise<string> {
  // A router that reverted a rollback job says so until a poll gets through: settle that first, so
  // the reboot it caused is not read as an interrupted job (docs/rollback.md).
  if (poll.rolledBack) await jobs.settleRolledBack(deps, device.siteId, poll.rolledBack);
  let recorded = false; // the heartbeat is recorded by the first call that gets past authentication
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const popped = await deps.dispatch.popNext(device.siteId, device.tokenVersion, deps.clock(), limits(deps), poll, recorded);
    recorded ||= popped.kind !== 'cold';
    switch (popped.kind) {
      case 'idle':
        deps.metrics.polls.inc({ result: 'idle' });
        return '';
      case 'cold':
        // Redis lost the site (or never knew it): rebuild it from PostgreSQL once, then retry.
        if (round > 0 || (await jobs.restoreSiteDispatch(deps, device.siteId)) === null) {
          throw new AppError('device_token_invalid');
        }
        break;
      case 'interrupted':
        await jobs.settleInterrupted(deps, device.siteId, popped.jobId, 'router rebooted while the job was running');
        break;
      case 'reported':
        if (poll.lastJob) await jobs.settleReported(deps, device.siteId, poll.lastJob);
        break;
      case 'confirm': {
        const script = await jobs.deliverConfirm(deps, device.siteId, popped);
        if (script !== null) {
          deps.metrics.polls.inc({ result: 'job' });
          return script;
        }
        break;
      }
      case 'job': {
        const script = await jobs.deliver(deps, device.siteId, popped, poll.version);
        if (script !== null) {
          deps.metrics.polls.inc({ result: 'job' });
          return script;
        }
      }
    }
  }
  deps.metrics.polls.inc({ result: 'idle' });
  return '';
}

/** `last-job=<job token>:ok|fail`, set by the wrapper after it ran a payload (src/routeros/wrapper.ts). */
const LAST_JOB = /^([0-9A-Za-z]{22}):(ok|fail)$/;
/** `rolled-back=<job token>`: the agent found the marker a restored rollback leaves (src/routeros/rollback.ts). */
const ROLLED_BACK = /^([0-9A-Za-z]{22})$/;

/** Facts that describe the router rather than its load: a change in any is sampled at once. */
const INVENTORY_FACTS = [
  'name', 'serial-number', 'model', 'board-name', 'version', 'architecture-name', 'platform', 'routerboard',
  'software-id', 'system-id', 'clock', 'total-memory', 'total-hdd-space',
] as const;
const KEPT_FACTS = [...INVENTORY_FACTS, 'cpu-load', 'free-memory', 'free-hdd-space', 'uptime'] as const;

/** 53-bit FNV-1a-style digest (cyrb53), hex: cheap, and only compared with the site's previous one. */
function digest(s: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16);
}

const KEPT_INDEX = new Map<string, number>(KEPT_FACTS.map((k, i) => [k, i]));
const UPTIME = KEPT_INDEX.get('uptime')!;
const VERSION = KEPT_INDEX.get('version')!;

/**
 * What Redis records of a poll's heartbeat body, read in one pass that keeps only these facts: the
 * source address, uptime, a compact set of facts, the inventory digest and the agent's reports. The
 * body is checked as parseHeartbeat checks it; a malformed one is a 400 naming the field.
 */
export function readPollFacts(body: string, from: string): PollFacts {
  const kept: (string | undefined)[] = [];
  let lastJob = '';
  let rolledBack = '';
  let uptimeSeconds: number | null = null;
  try {
    scanHeartbeat(body, (key, value) => {
      const i = KEPT_INDEX.get(key);
      if (i !== undefined) kept[i] = value;
      else if (key === 'last-job') lastJob = value;
      else if (key === 'rolled-back') rolledBack = value;
    });
    if (kept[UPTIME] !== undefined) uptimeSeconds = heartbeatUptime(kept[UPTIME]);
  } catch (err) {
    throw heartbeatError(err);
  }
  const facts: Record<string, string> = {};
  let inventory = '';
  for (let i = 0; i < KEPT_FACTS.length; i++) {
    if (kept[i] !== undefined) facts[KEPT_FACTS[i]!] = kept[i]!;
    if (i < INVENTORY_FACTS.length) inventory += `${kept[i] ?? ''}\0`;
  }
  const job = LAST_JOB.exec(lastJob);
  return {
    from,
    version: kept[VERSION],
    uptimeSeconds,
    facts: JSON.stringify(facts),
    inventory: digest(inventory),
    lastJob: job ? { token: job[1]!, ok: job[2] === 'ok' } : null,
    rolledBack: ROLLED_BACK.exec(rolledBack)?.[1] ?? null,
  };
}
