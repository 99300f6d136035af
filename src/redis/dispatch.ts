import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RedisClient } from './client.js';
import { AppError } from '../errors.js';
import { byShard, SHARDS, shardOf, type Keys } from './keys.js';

// The dispatch path: typed wrappers over the Lua scripts in ./scripts (named <name>-<numKeys>.lua,
// BullMQ style) and the few plain commands that move job ids. The reconciler's reads of the same
// records are in ./dispatch-records.ts, fleet health's in ./fleet.ts. Nothing outside src/redis
// builds a key or runs Lua.

const SCRIPT_DIR = join(dirname(fileURLToPath(import.meta.url)), 'scripts');

type LuaFn = (...args: (string | number)[]) => Promise<unknown>;

/** Defines every script of ./scripts on `redis` (ioredis sends EVALSHA, and EVAL once after a NOSCRIPT). */
export function loadScripts(redis: RedisClient): Record<string, LuaFn> {
  const fns: Record<string, LuaFn> = {};
  for (const file of readdirSync(SCRIPT_DIR).filter((f) => f.endsWith('.lua'))) {
    const match = /^(.+)-(\d+)\.lua$/.exec(file);
    if (!match?.[1] || !match[2]) throw new Error(`bad script name ${file}`);
    const name = `tikops_${match[1].replace(/-/g, '_')}`;
    redis.defineCommand(name, { numberOfKeys: Number(match[2]), lua: readFileSync(join(SCRIPT_DIR, file), 'utf8') });
    fns[match[1]] = (...args) => (redis as unknown as Record<string, LuaFn>)[name]!(...args);
  }
  return fns;
}

export type PopResult =
  | { kind: 'job'; jobId: string; remaining: number; redelivery: boolean; rebooted: boolean }
  | { kind: 'interrupted'; jobId: string }
  | { kind: 'reported' }
  | { kind: 'confirm'; jobId: string; remaining: number }
  | { kind: 'idle'; rebooted: boolean }
  | { kind: 'cold' };

/** What a poll tells Redis about the router. */
export interface PollFacts {
  from: string;
  uptimeSeconds: number | null;
  /** Compact JSON of the heartbeat fields worth keeping. */
  facts: string;
  /** A digest of the facts that are inventory (identity, version, model, …): a change is sampled at once. */
  inventory: string;
  /** The agent's `last-job` report (the wrapper's job token and whether its payload succeeded), or null. */
  lastJob: { token: string; ok: boolean } | null;
  /** The job token of a rollback the router reports it reverted (`rolled-back=`), or null. */
  rolledBack?: string | null;
  /** The RouterOS version the heartbeat reported (decides what a job handed out now may be). */
  version?: string | undefined;
}

/**
 * A job as the site's queue holds it: its id and its delivery lease. `leaseSeconds` 0 means no
 * acknowledgement is expected, so the poll hands it out without holding the run slot.
 */
export interface QueuedJob {
  id: string;
  leaseSeconds: number;
}

/** The queue entry of a job, `<id>/<lease seconds>` (pop-next-7.lua reads it). */
const entry = (j: QueuedJob): string => `${j.id}/${j.leaseSeconds}`;

export interface RunSlot {
  jobId: string;
  claimed: boolean;
  /** A rollback job that reported done and waits for the confirmation a later poll hands out. */
  awaiting?: boolean;
  leaseUntilMs: number;
  leaseSeconds: number;
}

export interface Dispatch {
  /**
   * `defaultLeaseSeconds` applies to a queue entry that carries no lease; `retry`: a second call
   * within one poll (the heartbeat is recorded once, by the first).
   */
  popNext(
    siteId: string,
    tokenVersion: number,
    nowMs: number,
    opts: PopLimits,
    poll: PollFacts,
    retry?: boolean,
  ): Promise<PopResult>;
  /** Compare-and-set on the site's run slot; true if it held `jobId`. */
  releaseRun(siteId: string, jobId: string): Promise<boolean>;
  claimRun(siteId: string, jobId: string): Promise<boolean>;
  /** Marks the claimed rollback job as waiting for its confirmation (docs/rollback.md). */
  awaitRun(siteId: string, jobId: string): Promise<boolean>;
  leaseRun(siteId: string, jobId: string, leaseUntilMs: number): Promise<boolean>;
  /** Merges PostgreSQL's view of the site into Redis, in its order; returns how many jobs were added. */
  restoreSite(siteId: string, state: SiteDispatchState): Promise<number>;
  /** Warms a newly created site (nothing to restore yet). */
  registerSite(siteId: string, tokenVersion: number, orgId: string): Promise<void>;
  /** Revokes older device tokens of the site in the dispatch path. */
  raiseTokenVersion(siteId: string, tokenVersion: number): Promise<void>;
  enqueue(siteId: string, job: QueuedJob): Promise<void>;
  /** Pushes many jobs, each onto its site's queue: one pipeline per shard, sent together (one round trip). */
  enqueueMany(jobs: { siteId: string; job: QueuedJob }[]): Promise<void>;
  /** Removes a queued job; true if it was in the queue. */
  dequeue(siteId: string, job: QueuedJob): Promise<boolean>;
}

export interface SiteDispatchState {
  tokenVersion: number;
  orgId: string;
  run: RunSlot | null;
  queued: QueuedJob[];
}

/** Maps a script's negative return code to the API error it stands for (one place, BullMQ style). */
export function scriptError(code: number): AppError {
  switch (code) {
    case -1:
      return new AppError('device_token_invalid');
    default:
      return new AppError('internal_server_error', { message: `unexpected script result ${code}` });
  }
}

export interface PopLimits {
  defaultLeaseSeconds: number;
  sampleIntervalMs: number;
  sampleStreamMax: number;
}

/** pop-next-7.lua's KEYS then ARGV for one poll (also sent by the benchmark's reference, bench/targets). */
export function popNextArgs(
  keys: Keys,
  siteId: string,
  tokenVersion: number,
  nowMs: number,
  { defaultLeaseSeconds, sampleIntervalMs, sampleStreamMax }: PopLimits,
  poll: PollFacts,
  retry: boolean,
): (string | number)[] {
  const shard = shardOf(siteId);
  return [
    keys.site(siteId),
    keys.queue(siteId),
    keys.run(siteId),
    keys.samples(shard),
    keys.seen(shard),
    keys.inflight(shard),
    keys.samplesDeferred(shard),
    tokenVersion,
    nowMs,
    defaultLeaseSeconds,
    poll.from,
    poll.uptimeSeconds ?? '',
    poll.facts,
    siteId,
    // SAMPLE_STREAM_MAX bounds all shards' streams together.
    Math.ceil(sampleStreamMax / SHARDS),
    retry || !poll.lastJob ? '' : `${poll.lastJob.token}:${poll.lastJob.ok ? 'ok' : 'fail'}`,
    retry ? '0' : '1',
    sampleIntervalMs,
    poll.inventory,
  ];
}

/** pop-next-7.lua's reply as a PopResult; a negative code other than -2 throws its error. */
function popResult(reply: unknown): PopResult {
  const [code, jobId, remaining, redelivery, rebooted] = reply as [number, string, number, number, number];
  switch (code) {
    case 1:
      return { kind: 'job', jobId, remaining, redelivery: redelivery === 1, rebooted: rebooted === 1 };
    case 0:
      return { kind: 'idle', rebooted: rebooted === 1 };
    case 3:
      return { kind: 'interrupted', jobId };
    case 4:
      return { kind: 'reported' };
    case 5:
      return { kind: 'confirm', jobId, remaining };
    case -2:
      return { kind: 'cold' };
    default:
      throw scriptError(code);
  }
}

/** Binds the dispatch scripts and commands to one connection and key space. */
export function createDispatch(redis: RedisClient, keys: Keys): Dispatch {
  const lua = loadScripts(redis);
  const call = (name: string, ...args: (string | number)[]): Promise<unknown> => lua[name]!(...args);
  const setRun = (siteId: string, jobId: string, action: string, lease: number): Promise<unknown> =>
    call('set-run', keys.run(siteId), keys.inflight(shardOf(siteId)), jobId, action, lease, siteId);

  return {
    popNext(siteId, tokenVersion, nowMs, limits, poll, retry = false) {
      return call('pop-next', ...popNextArgs(keys, siteId, tokenVersion, nowMs, limits, poll, retry)).then(popResult);
    },
    async releaseRun(siteId, jobId) {
      return (await setRun(siteId, jobId, 'release', 0)) === 1;
    },
    async claimRun(siteId, jobId) {
      return (await setRun(siteId, jobId, 'claim', 0)) === 1;
    },
    async awaitRun(siteId, jobId) {
      return (await setRun(siteId, jobId, 'await', 0)) === 1;
    },
    async leaseRun(siteId, jobId, leaseUntilMs) {
      return (await setRun(siteId, jobId, 'lease', leaseUntilMs)) === 1;
    },
    async restoreSite(siteId, s) {
      const run = s.run;
      return (await call(
        'restore-site',
        keys.site(siteId),
        keys.queue(siteId),
        keys.run(siteId),
        keys.inflight(shardOf(siteId)),
        s.tokenVersion,
        s.orgId,
        run?.jobId ?? '',
        run?.awaiting ? 2 : run?.claimed ? 1 : 0,
        run?.leaseUntilMs ?? 0,
        siteId,
        run?.leaseSeconds ?? 0,
        ...s.queued.map(entry),
      )) as number;
    },
    async registerSite(siteId, tokenVersion, orgId) {
      await redis.hset(keys.site(siteId), 'tv', tokenVersion, 'org', orgId);
    },
    async raiseTokenVersion(siteId, tokenVersion) {
      await call('raise-token-version', keys.site(siteId), tokenVersion);
    },
    async enqueue(siteId, job) {
      await redis.rpush(keys.queue(siteId), entry(job));
    },
    async enqueueMany(jobs) {
      // One pipeline per shard (a cluster runs a pipeline on one node), all in flight at once.
      await Promise.all(
        [...byShard(jobs, (j) => j.siteId).values()].map(async (group) => {
          const p = redis.pipeline();
          for (const j of group) p.rpush(keys.queue(j.siteId), entry(j.job));
          // A pipeline reports each command's error in its results instead of rejecting.
          const failed = (await p.exec())?.find(([err]) => err !== null);
          if (failed) throw failed[0]!;
        }),
      );
    },
    async dequeue(siteId, job) {
      return (await redis.lrem(keys.queue(siteId), 0, entry(job))) > 0;
    },
  };
}
