// An in-memory Host for tests and the fleet simulator: virtual clock, recorded requests.
import type { FetchRequest, Host } from './state.js';

export type FetchReply = { status: number; body: string };
export type FetchHandler = (req: FetchRequest) => FetchReply | Promise<FetchReply>;

export interface FakeHost extends Host {
  /** Every fetch, in order. */
  readonly requests: FetchRequest[];
  /** Virtual time in ms; `sleep` advances it instead of waiting. */
  clockMs: number;
  now(): number;
}

/** A host whose fetch answers with `handler` (default: 200 with an empty body) and whose sleeps are instant. */
export function createFakeHost(handler: FetchHandler = () => ({ status: 200, body: '' }), startMs = Date.UTC(2025, 0, 1)): FakeHost {
  const host: FakeHost = {
    requests: [],
    clockMs: startMs,
    now: () => host.clockMs,
    sleep: (ms) => {
      host.clockMs += ms;
      return Promise.resolve();
    },
    fetch: async (req) => {
      host.requests.push(req);
      return handler(req);
    },
  };
  return host;
}
