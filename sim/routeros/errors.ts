// Errors and control-flow signals of the interpreter.
import type { Value } from './ast.js';

/**
 * A RouterOS script error: catchable by `:do {} on-error={}` and `:onerror` unless `catchable` is
 * false. `message` is what the console prints (e.g. `failure: Fetch failed with status 404`);
 * `value` is what `:onerror e` binds to `$e` (e.g. `Fetch failed with status 404`).
 */
export class ScriptError extends Error {
  readonly value: string;
  readonly catchable: boolean;
  /** Set by runScript when the error escapes it: the `:put`/print output produced before the error. */
  output?: string;
  constructor(message: string, value?: string, catchable = true) {
    super(message);
    this.name = 'ScriptError';
    this.value = value ?? message;
    this.catchable = catchable;
  }
}

/** The step budget ran out (runaway loop). Not catchable by scripts. */
export class StepLimitError extends ScriptError {
  constructor(limit: number) {
    super(`script step limit of ${String(limit)} exceeded`, undefined, false);
    this.name = 'StepLimitError';
  }
}

/** `/system reboot` (or a backup load) ran: the state has `rebooted = true`; the host decides what happens next. */
export class RebootSignal extends Error {
  constructor() {
    super('router is rebooting');
    this.name = 'RebootSignal';
  }
}

/** Internal: `:return`, `:break` and `:continue` unwind through these. Never escapes runScript. */
export class ControlSignal extends Error {
  readonly kind: 'return' | 'break' | 'continue';
  readonly payload: Value | undefined;
  constructor(kind: 'return' | 'break' | 'continue', payload?: Value) {
    super(kind);
    this.kind = kind;
    this.payload = payload;
  }
}

/** True for errors a script's own error handlers may catch. */
export function isCatchable(e: unknown): e is ScriptError {
  return e instanceof ScriptError && e.catchable;
}

export function failure(message: string): ScriptError {
  return new ScriptError(`failure: ${message}`, message);
}

/** A command the running script's policies do not allow (User page: policies; message believed). */
export function notEnoughPermissions(): ScriptError {
  return new ScriptError('not enough permissions (9)');
}
