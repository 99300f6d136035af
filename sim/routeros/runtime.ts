// Execution context: per-run runtime, per-function frame, block scopes and variables, and the
// Machine: the command tables and compiler a run dispatches through (assembled in index.ts, so
// modules below it never import the modules above them).
import type { CmdStmt, Program, Value } from './ast.js';
import type { Host, RouterState } from './state.js';
import type { Version } from './version.js';
import { NOTHING } from './values.js';

export interface Runtime {
  readonly state: RouterState;
  readonly host: Host;
  readonly v6: boolean;
  /** The router's version as this run sees it (v6 runs on a v7 state count as 6.49). */
  readonly version: Version;
  readonly vm: Machine;
  /** The user the script runs as: its globals, and the owner of what it adds. */
  readonly user: string;
  /** Policies of the run (Scripting 47579229, "Script repository"; User 8978504). */
  readonly policy: ReadonlySet<string>;
  /** Statement budget shared by everything one runScript call starts. */
  readonly budget: { steps: number; readonly max: number };
  /** Where `:put` and print output go (binary text); `:execute as-string` swaps in its own sink. */
  readonly sink: { text: string };
  /** Script name reported by `:jobname` and `/system script job`. */
  readonly jobName: string;
}

/** One per script run or function call: the current menu for relative commands (`/ip address` then `add ...`). */
export interface Frame {
  menu: readonly string[];
}

/** A block scope. A `null` entry marks a `:global` declaration visible from this scope down. */
export interface Scope {
  readonly vars: Map<string, Value | null>;
  readonly parent: Scope | null;
}

export interface GlobalCtx {
  readonly rt: Runtime;
  readonly frame: Frame;
  readonly scope: Scope;
  readonly st: CmdStmt;
  /** The command runs inside `[ ... ]`. */
  readonly inSub: boolean;
}

export type GlobalCommand = (c: GlobalCtx) => Promise<Value>;

export interface Machine {
  /** The `:` command named `name` as this run's version knows it; undefined: `bad command name`. */
  global(rt: Runtime, name: string): GlobalCommand | undefined;
  /** Runs a menu command statement (`/ip address add ...`, relative `add ...`). */
  menu(rt: Runtime, frame: Frame, scope: Scope, st: CmdStmt, inSub: boolean): Promise<Value>;
  /** Parses and checks source (binary) as this router would before running it; throws ScriptError. */
  compile(rt: Runtime, src: string): Program;
  /** `bad command name X (line L column C)` for each command of the program this router lacks. */
  unresolved(rt: Runtime, program: Program): string[];
}

export function newScope(parent: Scope | null): Scope {
  return { vars: new Map(), parent };
}

/** The globals of `user` ("accessible from all scripts created by the current user", Scripting 47579229). */
export function globalsOf(state: RouterState, user = 'admin'): Map<string, Value> {
  let env = state.environment.get(user);
  if (!env) state.environment.set(user, (env = new Map()));
  return env;
}

function find(scope: Scope, name: string): Scope | null {
  for (let s: Scope | null = scope; s; s = s.parent) if (s.vars.has(name)) return s;
  return null;
}

/** Value of `$name`: the nearest local, or the global if declared with `:global` in scope; else nothing. */
export function getVar(rt: Runtime, scope: Scope, name: string): Value {
  const owner = find(scope, name);
  if (!owner) return NOTHING;
  const v = owner.vars.get(name);
  if (v === null) return globalsOf(rt.state, rt.user).get(name) ?? NOTHING;
  return v ?? NOTHING;
}

export function declareLocal(scope: Scope, name: string, value: Value): void {
  scope.vars.set(name, value);
}

/** `:global name [value]`: binds the global in this scope; creates it (empty) if it does not exist. */
export function declareGlobal(rt: Runtime, scope: Scope, name: string, value: Value | undefined): void {
  scope.vars.set(name, null);
  const env = globalsOf(rt.state, rt.user);
  if (value !== undefined) env.set(name, value);
  else if (!env.has(name)) env.set(name, NOTHING);
}

/**
 * `:set name value` / `:set name` (value undefined: unset). Unsetting a global removes it;
 * unsetting a local leaves it empty. Undeclared names are refused when the script is compiled
 * (declarations.ts); at run time they can only be function parameters, set in the current scope.
 */
export function setVar(rt: Runtime, scope: Scope, name: string, value: Value | undefined): void {
  const owner = find(scope, name) ?? scope;
  if (owner.vars.get(name) === null) {
    const env = globalsOf(rt.state, rt.user);
    if (value === undefined) env.delete(name);
    else env.set(name, value);
    return;
  }
  owner.vars.set(name, value ?? NOTHING);
}
