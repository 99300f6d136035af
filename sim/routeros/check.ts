// The compile-time check of commands: RouterOS resolves every command of a script to its full
// path when it compiles it (the parsed form names `/ip/address/add`, "there is no implicit
// current menu"; observed: tikoci/lsp-routeros-ts docs/parseil-format.md) and refuses unknown
// parameters then ("expected end of command", the second most common :parse error there).
// Unknown command names are late-bound: they fail when they run ("bad command name", ibid.).
import type { Arg, CmdStmt, Expr, Program, Stmt, WhereCond } from './ast.js';
import type { GlobalSpec } from './builtins.js';
import { GLOBALS } from './builtins.js';
import { ScriptError } from './errors.js';
import { listOf } from './menu-kit.js';
import { resolve } from './menus.js';
import type { Frame, Runtime } from './runtime.js';
import { has } from './version.js';

interface Walk {
  readonly rt: Runtime;
  readonly bad: string[];
}

/** A `:` command as this run's version knows it. */
export function globalSpec(rt: Runtime, name: string): GlobalSpec | undefined {
  const g = GLOBALS.get(name);
  return g && (g.feature === undefined || has(rt.version, g.feature)) ? g : undefined;
}

function endOfCommand(a: Arg): ScriptError {
  return new ScriptError(`expected end of command (line ${String(a.line)} column ${String(a.col)})`);
}

/** Checks named parameters and the count of unnamed ones (flags aside). */
function checkArgs(args: readonly Arg[], params: readonly string[], flags: readonly string[], positional: number): void {
  let unnamed = 0;
  for (const a of args) {
    if (a.name !== undefined) {
      if (!params.includes(a.name)) throw endOfCommand(a);
    } else if (!(a.value.k === 'word' && flags.includes(a.value.w)) && ++unnamed > positional) throw endOfCommand(a);
  }
}

/** As checkArgs; an unnamed value may not fill a parameter also given by name. */
function checkGlobalArgs(args: readonly Arg[], params: readonly string[], flags: readonly string[], unnamed: readonly string[]): void {
  const given = new Set(args.flatMap((a) => (a.name === undefined ? [] : [a.name])));
  let i = 0;
  for (const a of args) {
    if (a.name !== undefined) {
      if (!params.includes(a.name)) throw endOfCommand(a);
    } else if (!(a.value.k === 'word' && flags.includes(a.value.w))) {
      const slot = unnamed[i++];
      if (slot === undefined || given.has(slot)) throw endOfCommand(a);
    }
  }
}

function walkWhere(w: Walk, c: WhereCond, frame: Frame): void {
  if (c.k === 'and' || c.k === 'or') {
    walkWhere(w, c.l, frame);
    walkWhere(w, c.r, frame);
  } else if (c.k === 'not') walkWhere(w, c.c, frame);
  else if (c.k === 'cmp') walkExpr(w, c.value, frame);
}

function walkExpr(w: Walk, e: Expr, frame: Frame, fresh = false): void {
  switch (e.k) {
    case 'block':
      walkBody(w, e.body, fresh ? { menu: [] } : frame);
      return;
    case 'sub':
      walkBody(w, e.body, frame);
      return;
    case 'str':
      for (const p of e.parts) if (typeof p !== 'string') walkExpr(w, p, frame);
      return;
    case 'idx':
      walkExpr(w, e.obj, frame);
      walkExpr(w, e.key, frame);
      return;
    case 'not':
    case 'neg':
      walkExpr(w, e.e, frame);
      return;
    case 'bin':
      walkExpr(w, e.l, frame);
      walkExpr(w, e.r, frame);
      return;
    case 'arr':
      for (const it of e.items) walkExpr(w, it.value, frame);
      return;
    case 'where':
      walkWhere(w, e.cond, frame);
      return;
    case 'lit':
    case 'word':
    case 'var':
      return;
  }
}

const at = (st: CmdStmt): string => `(line ${String(st.line)} column ${String(st.col)})`;

function checkGlobal(w: Walk, st: CmdStmt, name: string, args: readonly Arg[], frame: Frame): void {
  const spec = globalSpec(w.rt, name);
  if (!spec) {
    w.bad.push(`bad command name ${name} ${at(st)}`);
  } else {
    checkGlobalArgs(args, listOf(spec.params, w.rt), listOf(spec.flags, w.rt), spec.unnamed);
  }
  // Function bodies and :execute blocks run with a menu of their own.
  const fresh = name === 'local' || name === 'global' || name === 'execute';
  for (const a of args) walkExpr(w, a.value, frame, fresh);
}

function walkStmt(w: Walk, st: Stmt, frame: Frame): void {
  if (st.k === 'block') {
    walkBody(w, st.body, frame);
    return;
  }
  const head = st.head;
  if (head.k === 'global') return checkGlobal(w, st, head.name, st.args, frame);
  if (head.k === 'call') {
    walkExpr(w, head.fn, frame);
    for (const a of st.args) walkExpr(w, a.value, frame);
    return;
  }
  const r = resolve(w.rt, frame.menu, st);
  if (r.k === 'global') return checkGlobal(w, st, r.name, st.args, frame);
  if (r.k === 'bad') {
    w.bad.push(`bad command name ${r.word} ${at(st)}`);
    for (const a of st.args) walkExpr(w, a.value, frame);
    return;
  }
  const rest = st.args.slice(r.argStart);
  if (r.k === 'menu') {
    frame.menu = r.path;
    return;
  }
  // Words after the command name that looked like more path are its first unnamed values.
  const leftover = st.args.slice(Math.max(0, r.argStart - r.leftover.length), r.argStart);
  checkArgs([...leftover, ...rest], listOf(r.cmd.params, w.rt), listOf(r.cmd.flags, w.rt), r.cmd.positional ?? 0);
  const cmdFrame: Frame = { menu: r.path };
  for (const a of rest) walkExpr(w, a.value, cmdFrame);
}

function walkBody(w: Walk, body: readonly Stmt[], frame: Frame): void {
  for (const st of body) walkStmt(w, st, frame);
}

/**
 * Checks a parsed program for this router: throws `expected end of command` for a parameter a
 * command does not take; returns the `bad command name` errors it will raise when they run.
 */
export function checkCommands(rt: Runtime, program: Program): string[] {
  const w: Walk = { rt, bad: [] };
  walkBody(w, program.body, { menu: [] });
  return w.bad;
}
