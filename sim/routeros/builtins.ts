// Global `:` commands (Scripting 47579229, "Global commands"): variables, control flow, errors,
// and the table of every `:` command with the parameters it takes.
import type { CmdStmt, Expr, Value } from './ast.js';
import { argValue, ev, split } from './args.js';
import { DATA_COMMANDS } from './builtins-data.js';
import { cmdExecute, cmdParse } from './builtins-exec.js';
import { fromBin, toBin } from './bytes.js';
import { ControlSignal, ScriptError, StepLimitError, isCatchable } from './errors.js';
import type { GlobalCommand, GlobalCtx } from './interpreter.js';
import { commandError, runBlock, setPath } from './interpreter.js';
import { truthy } from './ops.js';
import { declareGlobal, declareLocal, getVar, setVar } from './runtime.js';
import type { Runtime } from './runtime.js';
import { pushLog } from './state.js';
import { FALSE, NOTHING, TRUE, arrayEntries, arraySet, num, str, toNum, toStr, toTime } from './values.js';
import type { Feature } from './version.js';

function varName(st: CmdStmt, e: Expr | undefined): string {
  if (e?.k === 'word') return e.w;
  if (e?.k === 'var') return e.name;
  if (e?.k === 'lit' && e.v.t === 'str') return e.v.v;
  throw commandError(st, 'expected variable name');
}

function tick(rt: Runtime): void {
  if (++rt.budget.steps > rt.budget.max) throw new StepLimitError(rt.budget.max);
}

function required(c: GlobalCtx, e: Expr | undefined, what: string): Expr {
  if (e === undefined) throw commandError(c.st, `missing value for ${what}`);
  return e;
}

/** Runs one loop body; returns false when the loop must stop (`:break`). */
async function loopBody(c: GlobalCtx, body: Expr, extra?: ReadonlyMap<string, Value>): Promise<boolean> {
  tick(c.rt);
  try {
    await runBlock(c.rt, c.frame, c.scope, body, extra);
  } catch (e) {
    if (e instanceof ControlSignal && e.kind === 'continue') return true;
    if (e instanceof ControlSignal && e.kind === 'break') return false;
    throw e;
  }
  return true;
}

async function cmdLocalOrGlobal(c: GlobalCtx, global: boolean): Promise<Value> {
  const a = split(c.st.args);
  const name = varName(c.st, a.named.get('name') ?? a.pos[0]);
  const valueExpr = a.named.get('value') ?? a.named.get('do') ?? a.pos[1];
  const value = valueExpr === undefined ? undefined : await ev(c, valueExpr);
  if (global) declareGlobal(c.rt, c.scope, name, value);
  else declareLocal(c.scope, name, value ?? NOTHING);
  return NOTHING;
}

async function cmdSet(c: GlobalCtx): Promise<Value> {
  const a = split(c.st.args);
  const target = a.named.get('name') ?? a.pos[0];
  const valueExpr = a.named.get('value') ?? a.pos[1];
  const value = valueExpr === undefined ? undefined : await ev(c, valueExpr);
  if (target?.k === 'idx') {
    const keys: Value[] = [];
    let base: Expr = target;
    while (base.k === 'idx') {
      keys.unshift(await ev(c, base.key));
      base = base.obj;
    }
    const name = varName(c.st, base);
    setVar(c.rt, c.scope, name, setPath(getVar(c.rt, c.scope, name), keys, value, arraySet));
    return NOTHING;
  }
  setVar(c.rt, c.scope, varName(c.st, target), value);
  return NOTHING;
}

async function cmdDo(c: GlobalCtx): Promise<Value> {
  const a = split(c.st.args);
  const body = required(c, a.named.get('command') ?? a.pos[0], 'command');
  const onError = a.named.get('on-error');
  const whileExpr = a.named.get('while');
  const run = async (): Promise<void> => {
    if (whileExpr === undefined) {
      await runBlock(c.rt, c.frame, c.scope, body);
      return;
    }
    do {
      if (!(await loopBody(c, body))) return;
    } while (truthy(await ev(c, whileExpr)));
  };
  if (onError === undefined) {
    await run();
    return NOTHING;
  }
  try {
    await run();
  } catch (e) {
    if (!isCatchable(e)) throw e;
    await runBlock(c.rt, c.frame, c.scope, onError);
  }
  return NOTHING;
}

async function cmdIf(c: GlobalCtx): Promise<Value> {
  const a = split(c.st.args);
  const cond = await ev(c, required(c, a.named.get('condition') ?? a.pos[0], 'condition'));
  const branch = truthy(cond) ? (a.named.get('do') ?? a.pos[1]) : a.named.get('else');
  if (branch !== undefined) await runBlock(c.rt, c.frame, c.scope, branch);
  return NOTHING;
}

async function cmdWhile(c: GlobalCtx): Promise<Value> {
  const a = split(c.st.args);
  const cond = required(c, a.named.get('condition') ?? a.pos[0], 'condition');
  const body = required(c, a.named.get('do'), 'do');
  while (truthy(await ev(c, cond))) {
    if (!(await loopBody(c, body))) break;
  }
  return NOTHING;
}

async function cmdFor(c: GlobalCtx): Promise<Value> {
  const a = split(c.st.args);
  const name = varName(c.st, a.named.get('counter') ?? a.pos[0]);
  const numArg = async (k: string): Promise<number | undefined> => {
    const e = a.named.get(k);
    if (e === undefined) return undefined;
    const n = toNum(await ev(c, e));
    if (n === null) throw commandError(c.st, `invalid value for ${k}`);
    return n;
  };
  const from = (await numArg('from')) ?? 0;
  const to = await numArg('to');
  if (to === undefined) throw commandError(c.st, 'missing value for to');
  const step = (await numArg('step')) ?? (from <= to ? 1 : -1);
  const body = required(c, a.named.get('do'), 'do');
  if (step === 0) throw commandError(c.st, 'step must not be 0');
  for (let i = from; step > 0 ? i <= to : i >= to; i += step) {
    if (!(await loopBody(c, body, new Map([[name, num(i)]])))) break;
  }
  return NOTHING;
}

async function cmdForeach(c: GlobalCtx): Promise<Value> {
  const a = split(c.st.args);
  const names = varName(c.st, a.named.get('counter') ?? a.pos[0]).split(',');
  const coll = await ev(c, required(c, a.named.get('in'), 'in'));
  const body = required(c, a.named.get('do'), 'do');
  const entries: [Value, Value][] =
    coll.t === 'array' ? arrayEntries(coll.v) : coll.t === 'nothing' || coll.t === 'nil' ? [] : [[num(0), coll]];
  for (const [k, v] of entries) {
    const extra = new Map<string, Value>();
    if (names.length >= 2) {
      extra.set(names[0]!, k);
      extra.set(names[1]!, v);
    } else {
      extra.set(names[0]!, v);
    }
    if (!(await loopBody(c, body, extra))) break;
  }
  return NOTHING;
}

async function cmdOnerror(c: GlobalCtx): Promise<Value> {
  const a = split(c.st.args);
  const name = varName(c.st, a.pos[0]);
  const body = required(c, a.named.get('in') ?? a.pos[1], 'in');
  try {
    await runBlock(c.rt, c.frame, c.scope, body);
    return FALSE;
  } catch (e) {
    if (!isCatchable(e)) throw e;
    const handler = a.named.get('do');
    if (handler !== undefined) await runBlock(c.rt, c.frame, c.scope, handler, new Map([[name, str(toBin(e.value))]]));
    return TRUE;
  }
}

async function cmdPut(c: GlobalCtx): Promise<Value> {
  const a = split(c.st.args);
  const v = await argValue(c, a, 'message', 0);
  c.rt.sink.text += `${v === undefined ? '' : toStr(v)}\n`;
  return NOTHING;
}

const LOG_LEVELS: ReadonlySet<string> = new Set(['info', 'warning', 'error', 'debug']);

async function cmdLog(c: GlobalCtx): Promise<Value> {
  const a = split(c.st.args);
  const level = a.pos[0];
  if (level?.k !== 'word' || !LOG_LEVELS.has(level.w)) throw commandError(c.st, 'bad command name log');
  const msg = await argValue(c, a, 'message', 1);
  pushLog(c.rt.state, level.w, fromBin(msg === undefined ? '' : toStr(msg)));
  return NOTHING;
}

async function cmdDelay(c: GlobalCtx): Promise<Value> {
  const a = split(c.st.args);
  const v = await argValue(c, a, 'delay-time', 0);
  const secs = v === undefined ? 1 : toTime(v);
  if (secs === null) throw commandError(c.st, 'invalid time value');
  await c.rt.host.sleep(Math.max(0, Math.round(secs * 1000)));
  return NOTHING;
}

async function cmdError(c: GlobalCtx): Promise<Value> {
  const v = await argValue(c, split(c.st.args), 'message', 0);
  throw new ScriptError(fromBin(v === undefined ? '' : toStr(v)));
}

async function cmdReturn(c: GlobalCtx): Promise<Value> {
  const v = await argValue(c, split(c.st.args), 'value', 0);
  throw new ControlSignal('return', v ?? NOTHING);
}

function signal(kind: 'break' | 'continue'): GlobalCommand {
  return () => Promise.reject(new ControlSignal(kind));
}

export interface GlobalSpec {
  readonly run: GlobalCommand;
  /** Named parameters; any other fails when the script is compiled (`expected end of command`). */
  readonly params: readonly string[] | ((rt: Runtime) => readonly string[]);
  /** The parameters its unnamed values fill, in order. */
  readonly unnamed: readonly string[];
  /** Bare words that are flags, not values. */
  readonly flags?: readonly string[] | ((rt: Runtime) => readonly string[]);
  /** The version feature it needs (version.ts); older routers answer `bad command name`. */
  readonly feature?: Feature;
}

const spec = (run: GlobalCommand, params: readonly string[], unnamed: readonly string[], extra: Partial<GlobalSpec> = {}): GlobalSpec => ({
  run,
  params,
  unnamed,
  ...extra,
});
const V7 = { feature: 'v7' } as const;

export const GLOBALS: ReadonlyMap<string, GlobalSpec> = new Map<string, GlobalSpec>([
  ['local', spec((c) => cmdLocalOrGlobal(c, false), ['name', 'value', 'do'], ['name', 'value'])],
  ['global', spec((c) => cmdLocalOrGlobal(c, true), ['name', 'value', 'do'], ['name', 'value'])],
  ['set', spec(cmdSet, ['name', 'value'], ['name', 'value'])],
  ['do', spec(cmdDo, ['command', 'on-error', 'while'], ['command'])],
  ['if', spec(cmdIf, ['condition', 'do', 'else'], ['condition'])],
  ['while', spec(cmdWhile, ['condition', 'do'], ['condition'])],
  ['for', spec(cmdFor, ['counter', 'from', 'to', 'step', 'do'], ['counter'])],
  ['foreach', spec(cmdForeach, ['counter', 'in', 'do'], ['counter'])],
  ['onerror', spec(cmdOnerror, ['in', 'do'], ['error-name', 'in'], { feature: 'onerror' })],
  ['put', spec(cmdPut, ['message'], ['message'])],
  ['log', spec(cmdLog, ['message'], ['topic', 'message'])],
  ['delay', spec(cmdDelay, ['delay-time'], ['delay-time'])],
  ['error', spec(cmdError, ['message'], ['message'])],
  ['return', spec(cmdReturn, ['value'], ['value'])],
  ['parse', spec(cmdParse, ['value'], ['value'])],
  // `as-string` is v7 (routeros.md §8.2; issue 13); v6 has only the background form.
  [
    'execute',
    {
      run: cmdExecute,
      params: (rt) => (rt.v6 ? ['script', 'file'] : ['script', 'file', 'as-string']),
      unnamed: ['script'],
      flags: (rt) => (rt.v6 ? [] : ['as-string']),
    },
  ],
  ['break', spec(signal('break'), [], [])],
  ['continue', spec(signal('continue'), [], [])],
  ['nothing', spec(() => Promise.resolve(NOTHING), [], [])],
  ['jobname', spec((c) => Promise.resolve(str(toBin(c.rt.jobName))), [], [], V7)],
  ...DATA_COMMANDS.map(([name, run, params, unnamed, v7]): [string, GlobalSpec] => [name, spec(run, params, unnamed, v7 ? V7 : {})]),
]);

