// Public API of the RouterOS scripting simulator.
import { fromBin, toBin } from './bytes.js';
import { ScriptError } from './errors.js';
import { exportText } from './export.js';
import { makeRuntime } from './machine.js';
import { parseStringLiteral } from './parser.js';
import { userPolicy } from './policy.js';
import type { Host } from './state-types.js';
import type { RouterState } from './state.js';
import { createRouterState } from './state.js';

export { RebootSignal, ScriptError, StepLimitError } from './errors.js';
export { FETCH_USER_LIMIT, FETCH_USER_LIMIT_V6 } from './fetch.js';
export { globalsOf } from './runtime.js';
export { restExecute, runScript, settle } from './run.js';
export type { RunOptions } from './run.js';
export { advance, bootRouter, nextRun, runSchedulerEvent } from './scheduler.js';
export { LOG_LIMIT, createRouterState } from './state.js';
export type { Platform, RouterState, RouterStateInit } from './state.js';
export type * from './state-types.js';
export type { RArray, Value } from './ast.js';
export { fromJs, toJs } from './values.js';

const NO_HOST: Host = { fetch: () => Promise.reject(new Error('no fetch')), sleep: () => Promise.resolve() };

/** The `/export` text of the router (header line `# <date> <time> by RouterOS <version>`). */
export function exportConfig(state: RouterState, host: Partial<Host> = {}, opts: { v6?: boolean } = {}): string {
  const rt = makeRuntime(state, { ...NO_HOST, ...host }, { ...opts, user: 'admin', policy: userPolicy(state, 'admin') });
  return fromBin(exportText(rt));
}

/** Decodes one RouterOS double-quoted literal (all documented escapes of the dialect) to text; throws ScriptError. */
export function decodeLiteral(literal: string, opts: { v6?: boolean } = {}): string {
  return fromBin(parseStringLiteral(toBin(literal), opts.v6 ?? false));
}

/**
 * Null when the source compiles on a router of that version (default 7.16.2, or 6.49 with v6),
 * else the RouterOS-style error: syntax errors, `:set` of undeclared variables, unknown parameters.
 */
export function checkSyntax(source: string, opts: { v6?: boolean; version?: string } = {}): string | null {
  const version = opts.version ?? (opts.v6 ? '6.49.10 (long-term)' : '7.16.2 (stable)');
  const state = createRouterState({ version });
  const rt = makeRuntime(state, NO_HOST, { v6: opts.v6 ?? version.startsWith('6.'), user: 'admin', policy: userPolicy(state, 'admin') });
  try {
    rt.vm.compile(rt, toBin(source));
    return null;
  } catch (e) {
    if (e instanceof ScriptError) return e.message;
    throw e;
  }
}
