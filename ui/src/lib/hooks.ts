import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/client';

export type Async<T> =
  | { state: 'loading'; data?: T; error?: undefined }
  | { state: 'ok'; data: T; error?: undefined }
  | { state: 'error'; data?: T; error: ApiError };

export interface AsyncHandle<T> {
  result: Async<T>;
  /** Fetches again; the previous data stays visible meanwhile (no flicker on refresh). */
  reload: () => void;
}

function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError(0, { type: 'client_error', code: 'unexpected', message: (err as Error).message || String(err), doc_url: '' });
}

/** Runs `load` when `deps` change; answers from a superseded run are dropped. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): AsyncHandle<T> {
  const [result, setResult] = useState<Async<T>>({ state: 'loading' });
  const run = useRef(0);
  const [nonce, setNonce] = useState(0);
  useEffect(() => {
    const mine = ++run.current;
    setResult((r) => ({ state: 'loading', data: r.data }));
    load().then(
      (data) => mine === run.current && setResult({ state: 'ok', data }),
      (err: unknown) => mine === run.current && setResult((r) => ({ state: 'error', data: r.data, error: asApiError(err) })),
    );
  }, [...deps, nonce]); // the caller names the dependencies
  useEffect(() => () => void (run.current = -1), []);
  return { result, reload: useCallback(() => setNonce((n) => n + 1), []) };
}

/** Calls `tick` every `ms` while the tab is visible and `active` holds (live job status). */
export function useInterval(tick: () => void, ms: number, active: boolean): void {
  const saved = useRef(tick);
  saved.current = tick;
  useEffect(() => {
    if (!active) return undefined;
    const id = setInterval(() => {
      if (document.visibilityState === 'visible') saved.current();
    }, ms);
    return () => clearInterval(id);
  }, [ms, active]);
}

// One shared clock for every relative time on the page, so they all move together.
const clockListeners = new Set<(now: number) => void>();
let clockTimer: ReturnType<typeof setInterval> | undefined;

/** The current time, re-rendering every second while mounted. */
export function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    clockListeners.add(setNow);
    clockTimer ??= setInterval(() => {
      const t = Date.now();
      for (const l of clockListeners) l(t);
    }, 1000);
    return () => {
      clockListeners.delete(setNow);
      if (clockListeners.size === 0) {
        clearInterval(clockTimer);
        clockTimer = undefined;
      }
    };
  }, []);
  return now;
}

/** A submit handler's state: pending while it runs, its API error if it failed. */
export function useAction<A extends unknown[], R>(
  fn: (...args: A) => Promise<R>,
): { run: (...args: A) => Promise<R | undefined>; pending: boolean; error: ApiError | null; reset: () => void } {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const run = async (...args: A): Promise<R | undefined> => {
    setPending(true);
    setError(null);
    try {
      return await fn(...args);
    } catch (err) {
      setError(asApiError(err));
      return undefined;
    } finally {
      setPending(false);
    }
  };
  return { run, pending, error, reset: () => setError(null) };
}
