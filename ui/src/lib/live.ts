import { useEffect, useRef, useState } from 'preact/hooks';
import * as session from '../api/session';

// Live updates from GET /events/stream (src/events): ONE EventSource per tab, opened while a page
// listens and the key may read jobs, shared by every listener. Events only name what changed;
// pages refetch it through the ordinary API. While the stream is down (not yet open, reconnecting,
// or refused) `useLive` reports it and pages fall back to their slow polling; when it comes back
// every listener refetches once, for whatever changed meanwhile (events are not replayed).

export type LiveEvent =
  | { kind: 'job'; site_id: string; job_id: string; state: string; rollout_id: string | null }
  | { kind: 'rollout'; rollout_id: string; state: string };

/** `live`: events are arriving; `down`: not connected (pages poll instead). */
export type LiveStatus = 'live' | 'down';

type Listener = (e: LiveEvent | { kind: 'resync' }) => void;

const listeners = new Set<Listener>();
const statusListeners = new Set<(s: LiveStatus) => void>();
let source: EventSource | null = null;
let status: LiveStatus = 'down';
let idleTimer: ReturnType<typeof setTimeout> | undefined;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
/** After a refused stream (EventSource gives up on a non-200), try again this much later. */
const RETRY_REFUSED_MS = 30_000;
/** A page change unmounts one listener and mounts the next: keep the stream through it. */
const IDLE_CLOSE_MS = 5_000;

function setStatus(s: LiveStatus): void {
  if (s === status) return;
  status = s;
  for (const l of statusListeners) l(s);
}

function emit(e: LiveEvent | { kind: 'resync' }): void {
  for (const l of [...listeners]) l(e);
}

function open(): void {
  clearTimeout(retryTimer);
  if (source || !session.isSignedIn() || !session.can('jobs:read')) return;
  const es = new EventSource('/events/stream');
  es.onopen = () => {
    setStatus('live');
    // Whatever changed between the pages' reads and this (re)connection was not sent: read again.
    emit({ kind: 'resync' });
  };
  es.onerror = () => {
    setStatus('down');
    // CONNECTING: the browser reconnects by itself after the server's `retry:`. CLOSED: it gave up
    // (a refusal); try again later while pages poll.
    if (es.readyState === EventSource.CLOSED) {
      close();
      retryTimer = setTimeout(() => listeners.size > 0 && open(), RETRY_REFUSED_MS);
    }
  };
  for (const kind of ['job', 'rollout'] as const) {
    es.addEventListener(kind, (m: MessageEvent<string>) => {
      try {
        emit({ kind, ...JSON.parse(m.data) } as LiveEvent);
      } catch {
        // a frame this version does not understand
      }
    });
  }
  source = es;
}

/** Closes the stream now (sign-out, the tab going away): the request ends on our side, not as a failure. */
export function close(): void {
  clearTimeout(idleTimer);
  source?.close();
  source = null;
  setStatus('down');
}

addEventListener('pagehide', () => {
  clearTimeout(retryTimer);
  close();
});
addEventListener('pageshow', (e) => {
  if (e.persisted && listeners.size > 0) open();
});
session.onSessionChange(() => {
  if (!session.isSignedIn()) close();
});

/**
 * Calls `onChange` (at most once per `debounceMs`) for each live event `matches` accepts, and after
 * the stream reconnects; returns whether the stream is live (when it is not, poll).
 */
export function useLive(matches: (e: LiveEvent) => boolean, onChange: () => void, debounceMs = 250): LiveStatus {
  const [s, setS] = useState<LiveStatus>(status);
  const saved = useRef({ matches, onChange });
  saved.current = { matches, onChange };
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const fire = (): void => {
      timer ??= setTimeout(() => {
        timer = undefined;
        saved.current.onChange();
      }, debounceMs);
    };
    const listener: Listener = (e) => {
      if (e.kind === 'resync' || saved.current.matches(e)) fire();
    };
    listeners.add(listener);
    statusListeners.add(setS);
    clearTimeout(idleTimer);
    open();
    setS(status);
    return () => {
      clearTimeout(timer);
      listeners.delete(listener);
      statusListeners.delete(setS);
      if (listeners.size === 0) idleTimer = setTimeout(close, IDLE_CLOSE_MS);
    };
  }, [debounceMs]);
  return s;
}
