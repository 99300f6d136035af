import { PassThrough, type Readable } from 'node:stream';
import type { Operator, Scope } from '../http/auth.js';
import { keyIsLive } from '../keys/keys.service.js';
import type { LiveEvent } from '../redis/events.js';
import type { Deps } from '../runtime.js';

// GET /events/stream: this process's live events (src/redis/events.ts), as server-sent events
// (https://html.spec.whatwg.org/multipage/server-sent-events.html), for one operator: only their
// org's, only the kinds their scopes may read. Events carry ids and states, never data, so a
// dashboard refetches what changed through the ordinary API, with the same checks.

/** How long a browser waits before reconnecting a dropped stream (the `retry:` field). */
export const RETRY_MS = 3_000;
/** A reader this far behind is cut off (it reconnects and refetches) rather than buffered without end. */
const MAX_BUFFERED_BYTES = 1 << 20;

/** The scope each kind of event needs: the scope of the reads it stands for (GET /site/{id}/job/{id}, GET /rollouts/{id}). */
const READ_SCOPE: Record<LiveEvent['kind'], Scope> = { job: 'jobs:read', rollout: 'jobs:read' };

const may = (caller: Operator, scope: Scope): boolean => caller.scopes === 'all' || caller.scopes.has(scope);

/** The SSE frame of one event: `event: job` and its data without the org. */
export function frame(e: LiveEvent): string {
  const { kind, org: _org, ...data } = e;
  return `event: ${kind}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Opens a stream of `caller`'s live events; it ends when the client goes or the process stops. */
export function openStream(deps: Deps, caller: Operator): Readable {
  const out = new PassThrough();
  const kinds = new Set(Object.entries(READ_SCOPE).filter(([, scope]) => may(caller, scope)).map(([kind]) => kind));
  const write = (chunk: string): void => {
    if (out.writableLength > MAX_BUFFERED_BYTES) out.destroy();
    else out.write(chunk);
  };
  write(`retry: ${RETRY_MS}\n: live events of ${caller.org}\n\n`);
  const stop = deps.events.listen({
    event(e) {
      if (e.org === caller.org && kinds.has(e.kind)) write(frame(e));
    },
    end: () => out.end(),
  });
  // A comment line keeps proxies and load balancers from closing an idle stream; each beat also
  // checks the API key behind the stream (and so behind a dashboard session) still works, so a
  // revoked or expired key's stream ends within one beat.
  const beat = setInterval(() => {
    write(': heartbeat\n\n');
    if (caller.keyId === undefined) return;
    keyIsLive(deps, caller.org, caller.keyId).then(
      (live) => live || out.end(),
      () => undefined, // the database is away: keep the stream, check again next beat
    );
  }, deps.config.eventsHeartbeatMs);
  out.once('close', () => {
    clearInterval(beat);
    stop();
  });
  return out;
}
