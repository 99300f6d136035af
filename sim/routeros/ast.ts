// AST and value types of the RouterOS scripting subset. Strings are binary strings (one char
// per byte, see bytes.ts). Values live here too because code values hold statements.

export interface RArray {
  /** List elements (keys 0..n-1). */
  readonly items: readonly Value[];
  /** Named elements; iterated in byte order of the key, as RouterOS sorts them. */
  readonly keys: ReadonlyMap<string, Value>;
}

export type Value =
  | { readonly t: 'str'; readonly v: string }
  | { readonly t: 'num'; readonly v: number }
  | { readonly t: 'bool'; readonly v: boolean }
  /** Seconds (millisecond precision). */
  | { readonly t: 'time'; readonly v: number }
  | { readonly t: 'array'; readonly v: RArray }
  /** Internal item id such as `*1` (what `find` returns). */
  | { readonly t: 'id'; readonly v: string }
  | { readonly t: 'nil' }
  | { readonly t: 'nothing' }
  | { readonly t: 'code'; readonly body: readonly Stmt[] };

export type BinOp = '.' | '+' | '-' | '*' | '/' | '%' | '<' | '>' | '<=' | '>=' | '=' | '!=' | '~' | '&&' | '||';

export type Expr =
  /** A constant (decoded string literal without substitutions, array-free). */
  | { readonly k: 'lit'; readonly v: Value }
  /** An unquoted word; typed when evaluated (num, time, bool or str). */
  | { readonly k: 'word'; readonly w: string }
  /** A string literal with `$` substitutions: parts are binary text or expressions. */
  | { readonly k: 'str'; readonly parts: readonly (string | Expr)[] }
  | { readonly k: 'var'; readonly name: string }
  /** `[ ... ]` command substitution. */
  | { readonly k: 'sub'; readonly body: readonly Stmt[] }
  /** `$a->key` */
  | { readonly k: 'idx'; readonly obj: Expr; readonly key: Expr }
  | { readonly k: 'not'; readonly e: Expr }
  | { readonly k: 'neg'; readonly e: Expr }
  | { readonly k: 'bin'; readonly op: BinOp; readonly l: Expr; readonly r: Expr }
  | { readonly k: 'arr'; readonly items: readonly ArrayItem[] }
  /** `{ ... }` in a block position (do=, else=, on-error=, ...): evaluates to a code value. */
  | { readonly k: 'block'; readonly body: readonly Stmt[] }
  /** `where <condition>` of find/print. */
  | { readonly k: 'where'; readonly cond: WhereCond };

export interface ArrayItem {
  readonly key?: string;
  readonly value: Expr;
}

export type WhereCond =
  | { readonly k: 'and' | 'or'; readonly l: WhereCond; readonly r: WhereCond }
  | { readonly k: 'not'; readonly c: WhereCond }
  | { readonly k: 'field'; readonly field: string }
  | { readonly k: 'cmp'; readonly field: string; readonly op: '=' | '!=' | '~' | '<' | '>' | '<=' | '>='; readonly value: Expr };

export interface Arg {
  /** Named argument (`name=value`); absent for positional ones. */
  readonly name?: string;
  readonly value: Expr;
  /** Where the argument starts (1-based, bytes), for errors found after parsing. */
  readonly line: number;
  readonly col: number;
}

export type Head =
  /** A menu path: `/ip address add`, `/ip/address/add` (abs) or `add` (relative). Leading positional words may extend it. */
  | { readonly k: 'path'; readonly abs: boolean; readonly segs: readonly string[] }
  /** `:name` */
  | { readonly k: 'global'; readonly name: string }
  /** `$fn ...`, `[...] ...`, `(...) ...`: call the value if it is code. */
  | { readonly k: 'call'; readonly fn: Expr };

export type Stmt =
  | { readonly k: 'cmd'; readonly head: Head; readonly args: readonly Arg[]; readonly line: number; readonly col: number }
  | { readonly k: 'block'; readonly body: readonly Stmt[] };

export type CmdStmt = Extract<Stmt, { k: 'cmd' }>;

export interface Program {
  readonly body: readonly Stmt[];
}
