import type { Deps } from '../runtime.js';

// Whether a site has a pulse, read cheaply at request time: the poll path records every
// heartbeat in Redis (the `seen` sorted set and the site hash), so one pipelined round trip
// answers for a whole page of sites. PostgreSQL's lazily refreshed last_seen columns are the
// fallback when Redis does not know a site (it lost its data) or cannot answer.

export interface PresenceInput {
  id: string;
  lastSeenAt: Date | null;
  lastSeenFrom: string | null;
}

export interface SitePresence {
  hasPulse: boolean;
  lastSeenAt: Date | null;
  lastSeenFrom: string | null;
}

/** A site is online while its last heartbeat is younger than N missed intervals. */
export function offlineWindowMs(deps: Deps): number {
  const f = deps.config.fleet;
  return f.heartbeatIntervalSeconds * f.offlineAfterMissed * 1000;
}

/** How stale PostgreSQL's last_seen_at may get before the sample drain refreshes it. */
export function lastSeenRefreshMs(deps: Deps): number {
  return Math.floor(offlineWindowMs(deps) / 2);
}

/** Presence per site id; never throws (Redis trouble degrades to PostgreSQL's view). */
export async function presenceOf(deps: Deps, sites: PresenceInput[]): Promise<Map<string, SitePresence>> {
  const now = deps.clock();
  const live = await deps.fleet
    .presence(sites.map((s) => s.id))
    .catch((err: unknown) => {
      deps.log.warn({ err }, 'presence from redis failed; using postgres');
      return new Map<string, { seenMs: number | null; from: string | null }>();
    });
  const out = new Map<string, SitePresence>();
  for (const s of sites) {
    const r = live.get(s.id);
    if (r?.seenMs != null) {
      out.set(s.id, { hasPulse: r.seenMs >= now - offlineWindowMs(deps), lastSeenAt: new Date(r.seenMs), lastSeenFrom: r.from ?? s.lastSeenFrom });
    } else {
      // PostgreSQL's value may lag by the refresh period, so it gets that much more slack.
      const fresh = s.lastSeenAt !== null && s.lastSeenAt.getTime() >= now - offlineWindowMs(deps) - lastSeenRefreshMs(deps);
      out.set(s.id, { hasPulse: fresh, lastSeenAt: s.lastSeenAt, lastSeenFrom: s.lastSeenFrom });
    }
  }
  return out;
}
