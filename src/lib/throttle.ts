/**
 * A reporter that lets through the first call and then at most one per `intervalMs`, handing each
 * call it lets through the number it held back since the previous one. For error events that
 * repeat while an outage lasts (every Redis reconnect attempt), so the log shows one line per
 * interval instead of hundreds.
 */
export function oncePer<A extends unknown[]>(
  intervalMs: number,
  report: (suppressed: number, ...args: A) => void,
  now: () => number = Date.now,
): (...args: A) => void {
  let last = -Infinity;
  let suppressed = 0;
  return (...args) => {
    const t = now();
    if (t - last < intervalMs) {
      suppressed++;
      return;
    }
    last = t;
    report(suppressed, ...args);
    suppressed = 0;
  };
}
