// Public API of the RouterOS scripting simulator.
import { fromBin, toBin } from './bytes.js';
import { ControlSignal, ScriptError } from './errors.js';
import { exportText } from './export.js';
import { execBody } from './interpreter.js';
import { exportQuote } from './menu-kit.js';
import { parseCached, parseStringLiteral } from './parser.js';
import type { Runtime } from './runtime.js';
import { newScope } from './runtime.js';
import type { Host, RouterState } from './state.js';
import { allocId } from './state.js';

export { RebootSignal, ScriptError, StepLimitError } from './errors.js';
export { FETCH_USER_LIMIT } from './fetch.js';
export { LOG_LIMIT, createRouterState } from './state.js';
export type {
  FetchRequest,
  FileEntry,
  Host,
  InterfaceEntry,
  IpAddressEntry,
  JobEntry,
  LogEntry,
  ResourceInfo,
  RouterState,
  RouterStateInit,
  SchedulerEntry,
  ScriptEntry,
} from './state.js';
export type { RArray, Value } from './values.js';
export { fromJs, toJs } from './values.js';

export interface RunOptions {
  /** RouterOS 6 dialect: rejects `/a/b/c` paths and `:onerror` at parse time. Default: from state.version. */
  v6?: boolean;
  /** Statement budget against runaway loops (StepLimitError, not catchable by scripts). Default 1,000,000. */
  maxSteps?: number;
  /** Script name for `:jobname` and `/system script job` (empty: an inline run, like a scheduler on-event). */
  jobName?: string;
}

function runtime(state: RouterState, host: Host, opts: RunOptions): Runtime {
  return {
    state,
    host,
    v6: opts.v6 ?? state.version.startsWith('6.'),
    budget: { steps: 0, max: opts.maxSteps ?? 1_000_000 },
    sink: { text: '' },
    jobName: opts.jobName ?? '',
  };
}

/**
 * Runs a script on the router. Resolves with its `:put`/print output. Rejects with ScriptError on a
 * syntax error or an uncaught runtime error (`output` holds what was printed before it), and with
 * RebootSignal when the script ran `/system reboot` (state.rebooted is then true).
 */
export async function runScript(source: string, state: RouterState, host: Host, opts: RunOptions = {}): Promise<{ output: string }> {
  const rt = runtime(state, host, opts);
  const program = parseCached(toBin(source), rt.v6);
  const job = { id: allocId(state), script: rt.jobName, type: 'script', owner: 'admin', started: '' };
  state.jobs.push(job);
  try {
    await execBody(rt, { menu: [] }, newScope(null), program.body);
  } catch (e) {
    if (e instanceof ControlSignal) {
      if (e.kind !== 'return') throw new ScriptError(`:${e.kind} outside of a loop`);
    } else {
      if (e instanceof ScriptError) e.output = fromBin(rt.sink.text);
      throw e;
    }
  } finally {
    const i = state.jobs.indexOf(job);
    if (i >= 0) state.jobs.splice(i, 1);
  }
  return { output: fromBin(rt.sink.text) };
}

/**
 * Runs a `/system scheduler` entry's on-event, as the scheduler would: the name of a `/system script`
 * runs that script, anything else runs as inline code. Increments run-count.
 */
export function runSchedulerEvent(name: string, state: RouterState, host: Host, opts: RunOptions = {}): Promise<{ output: string }> {
  const entry = state.schedulers.find((s) => s.name === name);
  if (!entry) return Promise.reject(new ScriptError(`no such scheduler entry: ${name}`));
  entry.runCount++;
  const isScript = state.scripts.some((s) => s.name === entry.onEvent);
  const source = isScript ? `/system script run ${exportQuote(entry.onEvent, false)}` : entry.onEvent;
  return runScript(source, state, host, opts);
}

/** The `/export` text of the router (header line `# <date> <time> by RouterOS <version>`). */
export function exportConfig(state: RouterState, host: Partial<Host> = {}, opts: { v6?: boolean } = {}): string {
  const fullHost: Host = {
    fetch: () => Promise.reject(new Error('no fetch')),
    sleep: () => Promise.resolve(),
    ...host,
  };
  return fromBin(exportText(runtime(state, fullHost, opts)));
}

/** Decodes one RouterOS double-quoted literal (all documented escapes) to text; throws ScriptError. */
export function decodeLiteral(literal: string): string {
  return fromBin(parseStringLiteral(toBin(literal)));
}

/** Null when the source parses, else the RouterOS-style syntax error message. */
export function checkSyntax(source: string, opts: { v6?: boolean } = {}): string | null {
  try {
    parseCached(toBin(source), opts.v6 ?? false);
    return null;
  } catch (e) {
    if (e instanceof ScriptError) return e.message;
    throw e;
  }
}
