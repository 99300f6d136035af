// The scheduler (Scheduler 40992881) and boots. An entry runs its on-event (a script name, or
// code) as the entry's owner with the entry's policies (routeros.md §3.1). Timing:
// - `start-time=startup`: "3 seconds after the system startup"; with an interval other than 0
//   it "will not run at startup", so it first runs one interval after that (believed reading);
// - an explicit start-date/start-time: then, and every interval after it (router clock);
// - no start time: one interval after the entry was added; with interval 0, once right away (believed).
// Entries due together run in list order. run-count resets on reboot.
import { clockMs, parseDate } from './clock.js';
import { featureAllowed } from './device-mode.js';
import { RebootSignal, ScriptError, isCatchable } from './errors.js';
import { exportQuote } from './menu-kit.js';
import type { RunOptions } from './run.js';
import { runScript } from './run.js';
import type { Host, SchedulerEntry } from './state-types.js';
import type { RouterState } from './state.js';
import { pushLog } from './state.js';
import { parseTime } from './values.js';

function now(host: Host): number {
  const t = host.now?.();
  if (t === undefined) throw new Error('the scheduler needs a host with a clock (createFakeHost)');
  return t;
}

/** A reboot as the router does it: globals, jobs and run counts go, uptime restarts; without a battery clock the time is lost. */
export function bootRouter(state: RouterState, host: Host): void {
  state.environment.clear();
  state.jobs.length = 0;
  state.rebooted = false;
  state.bootedAtMs = now(host);
  state.uptimeSeconds = 0;
  if (!state.rtc) state.clockSet = false;
  for (const e of state.schedulers) {
    e.runCount = 0;
    if (e.startTime === 'startup') delete e.lastRunMs;
  }
}

function firstRun(state: RouterState, host: Host, e: SchedulerEntry): number | undefined {
  const interval = e.interval * 1000;
  if (e.startTime === 'startup') {
    // Anchored at boot + 3 s: a router that booted before the simulation started did so uptime ago.
    const base = (state.bootedAtMs ?? (e.anchorMs ?? now(host)) - state.uptimeSeconds * 1000) + 3000;
    if (interval === 0) return state.bootedAtMs === undefined ? undefined : base;
    // With an interval it "will not run at startup" (Scheduler 40992881): every interval after it,
    // the first one after the entry was added.
    const added = e.anchorMs ?? base;
    return base + Math.max(1, Math.floor((added - base) / interval) + 1) * interval;
  }
  const anchor = e.anchorMs ?? now(host);
  if (e.startTime === '') return anchor + interval;
  const routerNow = clockMs(state, host, state.version.startsWith('6.'));
  const day = e.startDate === '' ? routerNow - (routerNow % 86_400_000) : parseDate(e.startDate);
  const at = parseTime(e.startTime);
  if (day === null || at === null) return undefined;
  const first = now(host) + (day + at * 1000 - routerNow);
  return interval === 0 && first < anchor ? undefined : first;
}

/** Host time (ms) of the entry's next run; undefined when it will not run again. */
export function nextRun(state: RouterState, host: Host, e: SchedulerEntry): number | undefined {
  if (e.disabled || !featureAllowed(state, 'scheduler')) return undefined;
  const first = firstRun(state, host, e);
  if (first === undefined) return undefined;
  if (e.lastRunMs === undefined || e.lastRunMs < first) return first;
  if (e.interval === 0) return undefined;
  const interval = e.interval * 1000;
  return first + (Math.floor((e.lastRunMs - first) / interval) + 1) * interval;
}

function source(state: RouterState, e: SchedulerEntry): string {
  const isScript = state.scripts.some((s) => s.name === e.onEvent);
  return isScript ? `/system script run ${exportQuote(e.onEvent, false)}` : e.onEvent;
}

/**
 * Runs a scheduler entry's on-event now, as the scheduler would: the name of a `/system script`
 * runs that script, anything else runs as inline code. Increments run-count.
 */
export function runSchedulerEvent(name: string, state: RouterState, host: Host, opts: RunOptions = {}): Promise<{ output: string }> {
  const e = state.schedulers.find((s) => s.name === name);
  if (!e) return Promise.reject(new ScriptError(`no such scheduler entry: ${name}`));
  if (!featureAllowed(state, 'scheduler')) return Promise.reject(new ScriptError('failure: not allowed by device-mode'));
  e.runCount++;
  e.lastRunMs = host.now?.();
  return runScript(source(state, e), state, host, { user: e.owner, policy: e.policy, ...opts });
}

/**
 * Moves the host clock forward by `ms` (host.sleep), running every scheduler entry that comes due
 * on the way, in time order. Errors of an entry are logged. A reboot (from an entry, or a backup
 * load) boots the router and the scheduler carries on.
 */
export async function advance(state: RouterState, host: Host, ms: number): Promise<void> {
  const until = now(host) + ms;
  for (;;) {
    let due: SchedulerEntry | undefined;
    let at = Infinity;
    for (const e of state.schedulers) {
      const t = nextRun(state, host, e);
      if (t !== undefined && t < at) [due, at] = [e, t];
    }
    if (due === undefined || at > until) break;
    const wait = at - now(host);
    if (wait > 0) await host.sleep(wait);
    try {
      await runSchedulerEvent(due.name, state, host);
    } catch (err) {
      if (err instanceof RebootSignal) bootRouter(state, host);
      else if (isCatchable(err)) pushLog(state, 'error', `scheduler ${due.name}: ${err.message}`);
      else throw err;
    }
  }
  const rest = until - now(host);
  if (rest > 0) await host.sleep(rest);
}
