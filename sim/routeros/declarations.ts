// Declarations are checked when a script is compiled: "Every variable ... must be declared before
// usage by local or global keywords. Undefined variables ... will result in a compilation error",
// with `:set myVar "my value"` as the example (Scripting 47579229, "Variables"). A variable is
// visible in its block and the blocks inside it, after its declaration (ibid., "Scopes").
// Reading an undeclared `$name` stays legal: function parameters and environment variables
// (DHCP lease scripts) are only bound at run time.
import type { Arg, Expr, Program, Stmt, WhereCond } from './ast.js';
import { ScriptError } from './errors.js';

type Scope = { readonly names: Set<string>; readonly parent: Scope | null };

const child = (parent: Scope, names: readonly string[] = []): Scope => ({ names: new Set(names), parent });

function declared(scope: Scope, name: string): boolean {
  for (let s: Scope | null = scope; s; s = s.parent) if (s.names.has(name)) return true;
  return false;
}

function nameOf(e: Expr | undefined): string | undefined {
  if (e?.k === 'word') return e.w;
  if (e?.k === 'var') return e.name;
  if (e?.k === 'lit' && e.v.t === 'str') return e.v.v;
  return undefined;
}

function undeclared(a: Arg): ScriptError {
  return new ScriptError(`syntax error (line ${String(a.line)} column ${String(a.col)})`);
}

function walkWhere(w: WhereCond, scope: Scope): void {
  if (w.k === 'and' || w.k === 'or') {
    walkWhere(w.l, scope);
    walkWhere(w.r, scope);
  } else if (w.k === 'not') walkWhere(w.c, scope);
  else if (w.k === 'cmp') walkExpr(w.value, scope);
}

function walkExpr(e: Expr, scope: Scope, extra?: readonly string[]): void {
  switch (e.k) {
    case 'block':
      walkBody(e.body, child(scope, extra));
      return;
    case 'sub':
      walkBody(e.body, child(scope));
      return;
    case 'str':
      for (const p of e.parts) if (typeof p !== 'string') walkExpr(p, scope);
      return;
    case 'idx':
      walkExpr(e.obj, scope);
      walkExpr(e.key, scope);
      return;
    case 'not':
    case 'neg':
      walkExpr(e.e, scope);
      return;
    case 'bin':
      walkExpr(e.l, scope);
      walkExpr(e.r, scope);
      return;
    case 'arr':
      for (const it of e.items) walkExpr(it.value, scope);
      return;
    case 'where':
      walkWhere(e.cond, scope);
      return;
    case 'lit':
    case 'word':
    case 'var':
      return;
  }
}

/** Names a loop or `:onerror` binds inside its `do=` block. */
function boundNames(cmd: string, args: readonly Arg[]): string[] {
  if (cmd !== 'for' && cmd !== 'foreach' && cmd !== 'onerror') return [];
  const first = args.find((a) => a.name === undefined) ?? args.find((a) => a.name === 'counter');
  const name = nameOf(first?.value);
  if (name === undefined) return [];
  return cmd === 'foreach' ? name.split(',') : [name];
}

function walkStmt(st: Stmt, scope: Scope): void {
  if (st.k === 'block') {
    walkBody(st.body, child(scope));
    return;
  }
  if (st.head.k === 'call') walkExpr(st.head.fn, scope);
  const cmd = st.head.k === 'global' ? st.head.name : '';
  const bound = boundNames(cmd, st.args);
  for (const a of st.args) walkExpr(a.value, scope, a.name === 'do' ? bound : undefined);
  if (cmd === 'local' || cmd === 'global') {
    const target = st.args.find((a) => a.name === 'name') ?? st.args.find((a) => a.name === undefined);
    const name = nameOf(target?.value);
    if (name !== undefined) scope.names.add(name);
  } else if (cmd === 'set') {
    const target = st.args.find((a) => a.name === 'name') ?? st.args.find((a) => a.name === undefined);
    if (target === undefined) return;
    let base = target.value;
    while (base.k === 'idx') base = base.obj;
    const name = nameOf(base);
    if (name !== undefined && !declared(scope, name)) throw undeclared(target);
  }
}

function walkBody(body: readonly Stmt[], scope: Scope): void {
  for (const st of body) walkStmt(st, scope);
}

/** Throws a ScriptError (`syntax error (line L column C)`, message believed) for `:set` of an undeclared variable. */
export function checkDeclarations(program: Program): void {
  walkBody(program.body, { names: new Set(), parent: null });
}
