import { randomUUID } from 'node:crypto';
import type { Config } from '../config.js';
import type { RedisClient } from './client.js';
import { loadScripts } from './dispatch.js';
import type { Keys } from './keys.js';

// Fair shares of outbound work across tenants (docs/webhooks.md, "Delivery fairness"): each piece
// of work (a webhook delivery, an express call) takes a slot of its org and one of its destination
// host before it goes out, and a destination that keeps failing is paused by a circuit breaker
// instead of holding slots. Shared by every worker process through Redis (fair-acquire-3.lua,
// fair-release-3.lua); slots are leases, so a crashed worker's slots come back by themselves.

/** The kinds of outbound work, each with its own shares and circuits. */
export type Lane = 'webhook' | 'express';

export type WaitReason = 'circuit_open' | 'org_busy' | 'destination_busy' | 'probe_in_flight';

export type Gate =
  | { go: true; lease: string; probe: boolean }
  /** Not now: `retryAtMs` is when the circuit half-opens or the probe's lease ends (null: a share is busy). */
  | { go: false; reason: WaitReason; retryAtMs: number | null };

/** How the work went, for the circuit: answered, failed (no answer, timeout, 5xx), or not tried. */
export type Verdict = 'ok' | 'fail' | 'none';

export interface FairShare {
  /** A slot for work of `org` to `destination` held for at most `holdMs`, or why not now. */
  acquire(lane: Lane, org: string, destination: string, nowMs: number, holdMs: number): Promise<Gate>;
  /** Gives the slot back; returns the circuit's change (opened until, closed) for the log. */
  release(lane: Lane, org: string, destination: string, lease: string, nowMs: number, verdict: Verdict): Promise<CircuitChange>;
  /** The destination's circuit as of `nowMs`: closed, open (until untilMs) or half-open (a probe may go). */
  circuit(lane: Lane, destination: string, nowMs: number): Promise<CircuitState>;
}

export interface CircuitState {
  state: 'closed' | 'open' | 'half_open';
  untilMs: number | null;
  /** Failures in a row counted towards the next opening. */
  failures: number;
}

export type CircuitChange = { opened: number } | { closed: true } | null;

const WAIT: Record<number, WaitReason> = { [-1]: 'circuit_open', [-2]: 'org_busy', [-3]: 'destination_busy', [-4]: 'probe_in_flight' };
/** Longest pause of a destination, however often it keeps failing. */
const MAX_OPEN_MS = 3_600_000;

export function createFairShare(redis: RedisClient, keys: Keys, cfg: Config['fairShare']): FairShare {
  const scripts = loadScripts(redis);
  // One hash slot per lane (src/redis/keys.ts): the scripts touch an org's and a destination's keys together.
  const keysOf = (lane: Lane, org: string, destination: string): string[] => {
    const k = keys.fair(lane);
    return [k.orgSlots(org), k.destinationSlots(destination), k.circuit(destination)];
  };
  return {
    async acquire(lane, org, destination, nowMs, holdMs) {
      const lease = randomUUID();
      const share = cfg[lane];
      const [code, at] = (await scripts['fair-acquire']!(
        ...keysOf(lane, org, destination),
        nowMs,
        lease,
        nowMs + holdMs,
        share.orgConcurrency,
        share.destinationConcurrency,
      )) as [number, number];
      if (code > 0) return { go: true, lease, probe: code === 2 };
      return { go: false, reason: WAIT[code] ?? 'org_busy', retryAtMs: at > 0 ? at : null };
    },
    async release(lane, org, destination, lease, nowMs, verdict) {
      const [code, until] = (await scripts['fair-release']!(
        ...keysOf(lane, org, destination),
        nowMs,
        lease,
        verdict,
        cfg.circuitFailures,
        cfg.circuitOpenMs,
        Math.max(MAX_OPEN_MS, cfg.circuitOpenMs),
      )) as [number, number];
      return code === 1 ? { opened: until } : code === 2 ? { closed: true } : null;
    },
    async circuit(lane, destination, nowMs) {
      const [until, failures] = await redis.hmget(keys.fair(lane).circuit(destination), 'until', 'failures');
      const untilMs = until === null ? null : Number(until);
      const state = untilMs === null ? 'closed' : nowMs < untilMs ? 'open' : 'half_open';
      return { state, untilMs, failures: Number(failures ?? 0) };
    },
  };
}

/**
 * How long work that was told to wait sleeps before asking again: past the circuit's opening
 * (plus up to 1 s, so a paused destination's backlog does not come back at one instant); at most
 * 2 s behind a probe; behind a busy share 250 ms doubling with each wait in a row (`waits`) up to
 * 4 s, so a large backlog asks rarely while another org's work finds free slots. Each is scaled by
 * a random factor in [0.5, 1.5) (random in [0, 1)).
 */
export function waitMs(gate: Extract<Gate, { go: false }>, nowMs: number, waits: number, random: () => number = Math.random): number {
  if (gate.reason === 'circuit_open' && gate.retryAtMs !== null) return Math.max(0, gate.retryAtMs - nowMs) + Math.round(1_000 * random());
  const spread = 0.5 + random();
  if (gate.reason === 'probe_in_flight') return Math.round(Math.min(2_000, Math.max(100, (gate.retryAtMs ?? nowMs) - nowMs)) * spread);
  return Math.round(Math.min(4_000, 250 * 2 ** Math.min(Math.max(waits, 0), 4)) * spread);
}
