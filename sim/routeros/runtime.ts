// Execution context: per-run runtime, per-function frame, block scopes and variables.
import type { Host, RouterState } from './state.js';
import type { Value } from './values.js';
import { NOTHING } from './values.js';

export interface Runtime {
  readonly state: RouterState;
  readonly host: Host;
  readonly v6: boolean;
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

export function newScope(parent: Scope | null): Scope {
  return { vars: new Map(), parent };
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
  if (v === null) return rt.state.globals.get(name) ?? NOTHING;
  return v ?? NOTHING;
}

export function declareLocal(scope: Scope, name: string, value: Value): void {
  scope.vars.set(name, value);
}

/** `:global name [value]`: binds the global in this scope; creates it (empty) if it does not exist. */
export function declareGlobal(rt: Runtime, scope: Scope, name: string, value: Value | undefined): void {
  scope.vars.set(name, null);
  if (value !== undefined) rt.state.globals.set(name, value);
  else if (!rt.state.globals.has(name)) rt.state.globals.set(name, NOTHING);
}

/**
 * `:set name value` / `:set name` (value undefined: unset). Unsetting a global removes it;
 * unsetting a local leaves it empty. An undeclared name becomes a local of the current scope.
 */
export function setVar(rt: Runtime, scope: Scope, name: string, value: Value | undefined): void {
  const owner = find(scope, name) ?? scope;
  if (owner.vars.get(name) === null) {
    if (value === undefined) rt.state.globals.delete(name);
    else rt.state.globals.set(name, value);
    return;
  }
  owner.vars.set(name, value ?? NOTHING);
}
