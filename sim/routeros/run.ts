// Running source on the router as a user: what the terminal, the scheduler and REST do.
import { fromBin, toBin } from './bytes.js';
import { ControlSignal, ScriptError } from './errors.js';
import { runJob, startBackground } from './jobs.js';
import { makeRuntime } from './machine.js';
import { parsePolicy, userPolicy } from './policy.js';
import type { Host } from './state-types.js';
import type { RouterState } from './state.js';

export interface RunOptions {
  /** RouterOS 6 dialect: rejects `/a/b/c` paths and v7-only commands. Default: from state.version. */
  v6?: boolean;
  /** Statement budget against runaway loops (StepLimitError, not catchable by scripts). Default 1,000,000. */
  maxSteps?: number;
  /** Script name for `:jobname` and `/system script job` (empty: an inline run, like a scheduler on-event). */
  jobName?: string;
  /** The user it runs as (globals, owner of what it adds). Default `admin`. */
  user?: string;
  /** Policies of the run, as a `policy=` list. Default: the user's group's. */
  policy?: string;
}

function runtimeFor(state: RouterState, host: Host, opts: RunOptions): ReturnType<typeof makeRuntime> {
  const user = opts.user ?? 'admin';
  const policy = opts.policy === undefined ? userPolicy(state, user) : parsePolicy(opts.policy);
  if (policy === null) throw new ScriptError(`invalid policy list: ${opts.policy ?? ''}`);
  return makeRuntime(state, host, { ...opts, user, policy });
}

/**
 * Runs a script on the router. Resolves with its `:put`/print output. Rejects with ScriptError on a
 * compile error or an uncaught runtime error (`output` holds what was printed before it), and with
 * RebootSignal when the script rebooted the router (state.rebooted is then true).
 */
export async function runScript(source: string, state: RouterState, host: Host, opts: RunOptions = {}): Promise<{ output: string }> {
  const rt = runtimeFor(state, host, opts);
  try {
    await runJob(rt, rt.vm.compile(rt, toBin(source)).body, rt.jobName);
  } catch (e) {
    if (e instanceof ControlSignal) throw new ScriptError(`:${e.kind} outside of a loop`);
    if (e instanceof ScriptError) e.output = fromBin(rt.sink.text);
    throw e;
  }
  return { output: fromBin(rt.sink.text) };
}

/**
 * REST `POST /rest/execute` as `user` (routeros.md §6, observed on 7.22.1): without `as-string` it
 * answers the job id at once and the script runs in the background; with it, the output. The
 * script runs with the user's group's policies; the group needs `rest-api` (User 8978504).
 */
export async function restExecute(state: RouterState, host: Host, script: string, opts: { user: string; asString?: boolean }): Promise<string> {
  if (!userPolicy(state, opts.user).has('rest-api')) throw new ScriptError(`user ${opts.user} may not use the REST API`);
  if (opts.asString) return (await runScript(script, state, host, { user: opts.user })).output;
  const rt = runtimeFor(state, host, { user: opts.user });
  return startBackground(rt, rt.vm.compile(rt, toBin(script)).body);
}

/** Waits until no `:execute` or REST background run is left (including runs they start). */
export async function settle(state: RouterState): Promise<void> {
  while (state.background.size > 0) await Promise.all([...state.background]);
}
