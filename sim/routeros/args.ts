// Argument helpers for global commands.
import type { Arg, Expr } from './ast.js';
import type { GlobalCtx } from './interpreter.js';
import { evalExpr } from './interpreter.js';
import type { Value } from './values.js';

export interface SplitArgs {
  readonly pos: readonly Expr[];
  readonly named: ReadonlyMap<string, Expr>;
}

export function split(args: readonly Arg[]): SplitArgs {
  const pos: Expr[] = [];
  const named = new Map<string, Expr>();
  for (const a of args) {
    if (a.name === undefined) pos.push(a.value);
    else named.set(a.name, a.value);
  }
  return { pos, named };
}

export function ev(c: GlobalCtx, e: Expr): Promise<Value> {
  return evalExpr(c.rt, c.frame, c.scope, e);
}

/** The argument, by name or position, evaluated; undefined when absent. */
export async function argValue(c: GlobalCtx, a: SplitArgs, name: string, index: number): Promise<Value | undefined> {
  const e = a.named.get(name) ?? a.pos[index];
  return e === undefined ? undefined : ev(c, e);
}
