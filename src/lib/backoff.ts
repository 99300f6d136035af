// Capped exponential backoff with symmetric jitter, and how many attempts a schedule needs to
// keep retrying for a given window. Pure: the random source is a parameter.

export interface Backoff {
  /** Delay before the first retry, milliseconds. */
  baseMs: number;
  /** Largest delay before jitter, milliseconds. */
  capMs: number;
  /** Relative jitter: each delay is scaled by a factor drawn from [1 - jitter, 1 + jitter]. */
  jitter: number;
}

/** Delay before retry `retry` (1-based): base·2^(retry-1), capped, then jittered. */
export function backoffDelay(b: Backoff, retry: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(retry - 1, 0), 52); // 2^52 ms is already far past any cap
  const nominal = Math.min(b.baseMs * 2 ** exponent, b.capMs);
  const factor = 1 - b.jitter + 2 * b.jitter * random();
  return Math.max(0, Math.round(nominal * factor));
}

/**
 * The number of attempts (the first try plus its retries) for which even the shortest jitter
 * keeps retrying for at least `windowMs` between the first and the last attempt.
 */
export function attemptsToSpan(b: Backoff, windowMs: number): number {
  let attempts = 1;
  let spanned = 0;
  while (spanned < windowMs) {
    const shortest = backoffDelay(b, attempts, () => 0);
    if (shortest <= 0) throw new Error('a backoff whose shortest delay is 0 never spans a window');
    spanned += shortest;
    attempts += 1;
  }
  return attempts;
}
