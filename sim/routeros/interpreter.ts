// Evaluates the AST. Everything is async because commands such as /tool fetch and :delay are.
// Dispatch goes through rt.vm (runtime.ts), so this module imports no command module.
import type { Arg, CmdStmt, Expr, RArray, Stmt, Value } from './ast.js';
import { ControlSignal, ScriptError, StepLimitError } from './errors.js';
import { binary, negate, truthy } from './ops.js';
import type { Frame, Runtime, Scope } from './runtime.js';
import { getVar, newScope } from './runtime.js';
import { NOTHING, arr, arrayGet, bool, classifyWord, code, str, toStr } from './values.js';

export type { CmdStmt } from './ast.js';
export type { GlobalCommand, GlobalCtx } from './runtime.js';

/** An error tagged with the command's position, as RouterOS reports bad commands. */
export function commandError(st: CmdStmt, message: string): ScriptError {
  return new ScriptError(`${message} (line ${String(st.line)} column ${String(st.col)})`, message);
}

export async function execBody(rt: Runtime, frame: Frame, scope: Scope, body: readonly Stmt[], inSub = false): Promise<Value> {
  let last: Value = NOTHING;
  for (const st of body) last = await execStmt(rt, frame, scope, st, inSub);
  return last;
}

export async function execStmt(rt: Runtime, frame: Frame, scope: Scope, st: Stmt, inSub: boolean): Promise<Value> {
  if (++rt.budget.steps > rt.budget.max) throw new StepLimitError(rt.budget.max);
  if (st.k === 'block') return execBody(rt, frame, newScope(scope), st.body, inSub);
  const head = st.head;
  switch (head.k) {
    case 'global': {
      const g = rt.vm.global(rt, head.name);
      if (!g) throw commandError(st, `bad command name ${head.name}`);
      return g({ rt, frame, scope, st, inSub });
    }
    case 'call': {
      const fn = await evalExpr(rt, frame, scope, head.fn);
      if (fn.t !== 'code') return fn;
      const { pos, named } = await evalCallArgs(rt, frame, scope, st.args);
      return callCode(rt, fn, pos, named, head.fn.k === 'var' ? head.fn.name : '');
    }
    case 'path':
      return rt.vm.menu(rt, frame, scope, st, inSub);
  }
}

/** Arguments of a function call: positional become $1.., named become locals. */
export async function evalCallArgs(
  rt: Runtime,
  frame: Frame,
  scope: Scope,
  args: readonly Arg[],
): Promise<{ pos: Value[]; named: Map<string, Value> }> {
  const pos: Value[] = [];
  const named = new Map<string, Value>();
  for (const a of args) {
    const v = await evalExpr(rt, frame, scope, a.value);
    if (a.name === undefined) pos.push(v);
    else named.set(a.name, v);
  }
  return { pos, named };
}

/** Calls a code value in a fresh scope (no caller locals; globals only if it declares them). */
export async function callCode(rt: Runtime, fn: Value, pos: readonly Value[], named: ReadonlyMap<string, Value>, name: string): Promise<Value> {
  if (fn.t !== 'code') return fn;
  const scope = newScope(null);
  scope.vars.set('0', str(name));
  pos.forEach((v, i) => scope.vars.set(String(i + 1), v));
  for (const [k, v] of named) scope.vars.set(k, v);
  try {
    await execBody(rt, { menu: [] }, scope, fn.body);
    return NOTHING;
  } catch (e) {
    if (e instanceof ControlSignal && e.kind === 'return') return e.payload ?? NOTHING;
    throw e;
  }
}

/** Runs a `do=`/`else=`/`on-error=` argument: a literal block runs in a child scope, a code value is called. */
export async function runBlock(rt: Runtime, frame: Frame, scope: Scope, e: Expr, extra?: ReadonlyMap<string, Value>): Promise<Value> {
  if (e.k === 'block') {
    const child = newScope(scope);
    if (extra) for (const [k, v] of extra) child.vars.set(k, v);
    return execBody(rt, frame, child, e.body);
  }
  const v = await evalExpr(rt, frame, scope, e);
  if (v.t === 'code') return callCode(rt, v, [], extra ?? new Map(), '');
  if (v.t === 'str') throw new ScriptError('expected code block');
  return v;
}

async function evalArray(rt: Runtime, frame: Frame, scope: Scope, e: Extract<Expr, { k: 'arr' }>): Promise<Value> {
  const items: Value[] = [];
  let keys: Map<string, Value> | undefined;
  for (const it of e.items) {
    const v = await evalExpr(rt, frame, scope, it.value);
    if (it.key === undefined) {
      items.push(v);
    } else {
      keys ??= new Map();
      keys.set(it.key, v);
    }
  }
  return arr(items, keys);
}

export async function evalExpr(rt: Runtime, frame: Frame, scope: Scope, e: Expr): Promise<Value> {
  switch (e.k) {
    case 'lit':
      return e.v;
    case 'word':
      return classifyWord(e.w);
    case 'str': {
      let out = '';
      for (const p of e.parts) out += typeof p === 'string' ? p : toStr(await evalExpr(rt, frame, scope, p));
      return str(out);
    }
    case 'var':
      return getVar(rt, scope, e.name);
    case 'sub':
      return execBody(rt, frame, newScope(scope), e.body, true);
    case 'idx': {
      const obj = await evalExpr(rt, frame, scope, e.obj);
      const key = await evalExpr(rt, frame, scope, e.key);
      return obj.t === 'array' ? arrayGet(obj.v, key) : NOTHING;
    }
    case 'not':
      return bool(!truthy(await evalExpr(rt, frame, scope, e.e)));
    case 'neg':
      return negate(await evalExpr(rt, frame, scope, e.e));
    case 'bin': {
      const l = await evalExpr(rt, frame, scope, e.l);
      if (e.op === '&&' && !truthy(l)) return bool(false);
      if (e.op === '||' && truthy(l)) return bool(true);
      return binary(e.op, l, await evalExpr(rt, frame, scope, e.r));
    }
    case 'arr':
      return evalArray(rt, frame, scope, e);
    case 'block':
      return code(e.body);
    case 'where':
      return NOTHING;
  }
}

/** Sets `$name->k1->k2...` to value (copying arrays: values have copy semantics). */
export function setPath(base: Value, keys: readonly Value[], value: Value | undefined, setIn: (a: RArray, k: Value, v: Value | undefined) => RArray): Value {
  const [k, ...rest] = keys;
  if (k === undefined) return value ?? NOTHING;
  const a: RArray = base.t === 'array' ? base.v : { items: [], keys: new Map() };
  const inner = rest.length === 0 ? value : setPath(arrayGet(a, k), rest, value, setIn);
  return { t: 'array', v: setIn(a, k, inner) };
}
