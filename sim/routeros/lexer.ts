// Character-level scanning shared by the parser modules. Sources are binary
// strings (one char per byte), so columns count bytes like RouterOS does.
import type { Expr, Stmt } from './ast.js';
import { ScriptError } from './errors.js';

export const C = {
  TAB: 0x09,
  LF: 0x0a,
  CR: 0x0d,
  SP: 0x20,
  BANG: 0x21,
  QUOTE: 0x22,
  HASH: 0x23,
  DOLLAR: 0x24,
  LPAREN: 0x28,
  RPAREN: 0x29,
  COLON: 0x3a,
  SEMI: 0x3b,
  EQ: 0x3d,
  SLASH: 0x2f,
  LBRACKET: 0x5b,
  BACKSLASH: 0x5c,
  RBRACKET: 0x5d,
  LBRACE: 0x7b,
  RBRACE: 0x7d,
} as const;

/** What the source may use; decided by the router's version (version.ts). */
export interface Dialect {
  /** RouterOS 6: no `/a/b/c` paths, `\?` is an escape. */
  readonly v6: boolean;
  /** `:onerror` exists. */
  readonly onerror: boolean;
}

/**
 * The parsers of the enclosing grammar, handed down so the expression and literal modules need
 * not import the statement parser (no import cycles).
 */
export interface ParseHooks {
  /** Statements up to `close` (consumed). */
  statements(s: Scan, close: number): Stmt[];
  /** `( expr )` starting at the `(`. */
  paren(s: Scan): Expr;
}

export interface Scan {
  readonly src: string;
  pos: number;
  readonly dialect: Dialect;
  readonly hooks: ParseHooks;
  lineStarts?: number[];
}

export function makeScan(src: string, dialect: Dialect, hooks: ParseHooks): Scan {
  return { src, pos: 0, dialect, hooks };
}

export function peek(s: Scan, ahead = 0): number {
  return s.src.charCodeAt(s.pos + ahead);
}

export function atEnd(s: Scan): boolean {
  return s.pos >= s.src.length;
}

function lineStarts(s: Scan): number[] {
  if (s.lineStarts) return s.lineStarts;
  const starts = [0];
  const src = s.src;
  for (let i = 0; i < src.length; i++) {
    const c = src.charCodeAt(i);
    if (c === C.LF) starts.push(i + 1);
    else if (c === C.CR) {
      if (src.charCodeAt(i + 1) === C.LF) i++;
      starts.push(i + 1);
    }
  }
  s.lineStarts = starts;
  return starts;
}

/** 1-based line and column (bytes) of an offset; CRLF, CR and LF each end a line. */
export function lineCol(s: Scan, pos: number): { line: number; col: number } {
  const starts = lineStarts(s);
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= pos) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, col: pos - starts[lo]! + 1 };
}

export function syntaxError(s: Scan, pos: number = s.pos, what = 'syntax error'): ScriptError {
  const { line, col } = lineCol(s, pos);
  return new ScriptError(`${what} (line ${String(line)} column ${String(col)})`);
}

/** Offset after a `\` line continuation starting at `p` (`\`, optional blanks, line break), or -1. A `\` at the very end counts too. */
export function continuationEnd(src: string, p: number): number {
  let q = p + 1;
  while (src.charCodeAt(q) === C.SP || src.charCodeAt(q) === C.TAB) q++;
  const c = src.charCodeAt(q);
  if (c === C.CR) return src.charCodeAt(q + 1) === C.LF ? q + 2 : q + 1;
  if (c === C.LF) return q + 1;
  if (q >= src.length) return q;
  return -1;
}

/** Skips spaces, tabs and line continuations (which count as one space outside strings). */
export function skipInline(s: Scan): void {
  for (;;) {
    const c = s.src.charCodeAt(s.pos);
    if (c === C.SP || c === C.TAB) {
      s.pos++;
    } else if (c === C.BACKSLASH) {
      const after = continuationEnd(s.src, s.pos);
      if (after < 0) return;
      s.pos = after;
    } else {
      return;
    }
  }
}

/** Skips a `#` comment to the end of the physical line (the line break itself stays). */
export function skipComment(s: Scan): void {
  const src = s.src;
  let p = s.pos;
  while (p < src.length) {
    const c = src.charCodeAt(p);
    if (c === C.LF || c === C.CR) break;
    p++;
  }
  s.pos = p;
}

/** Skips blanks, line breaks and comments; with `semis` also `;` (statement separators). */
export function skipBlank(s: Scan, semis: boolean): void {
  for (;;) {
    skipInline(s);
    const c = s.src.charCodeAt(s.pos);
    if (c === C.LF || c === C.CR || (semis && c === C.SEMI)) s.pos++;
    else if (c === C.HASH) skipComment(s);
    else return;
  }
}

export function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** Characters of argument names, menu names and command names. */
export function isNameChar(c: number): boolean {
  return isAlnum(c) || c === 0x2d || c === 0x5f || c === 0x2e;
}

export function readWhile(s: Scan, pred: (c: number) => boolean): string {
  const start = s.pos;
  while (s.pos < s.src.length && pred(s.src.charCodeAt(s.pos))) s.pos++;
  return s.src.slice(start, s.pos);
}

/** True where an argument or command may end: blank, line break, `;`, a closer, a continuation or the end. */
export function atBoundary(s: Scan): boolean {
  if (atEnd(s)) return true;
  const c = peek(s);
  if (c === C.SP || c === C.TAB || c === C.LF || c === C.CR || c === C.SEMI) return true;
  if (c === C.RBRACE || c === C.RBRACKET || c === C.RPAREN) return true;
  return c === C.BACKSLASH && continuationEnd(s.src, s.pos) >= 0;
}

function isBareStop(c: number): boolean {
  return (
    c === C.SP ||
    c === C.TAB ||
    c === C.LF ||
    c === C.CR ||
    c === C.SEMI ||
    c === C.LBRACKET ||
    c === C.RBRACKET ||
    c === C.LPAREN ||
    c === C.RPAREN ||
    c === C.LBRACE ||
    c === C.RBRACE ||
    c === C.QUOTE ||
    c === C.DOLLAR ||
    c === C.BACKSLASH
  );
}

/** An unquoted argument value: everything up to a blank, `;`, bracket, quote, `$` or `\`. */
export function readBare(s: Scan): string {
  const start = s.pos;
  const src = s.src;
  while (s.pos < src.length && !isBareStop(src.charCodeAt(s.pos))) s.pos++;
  if (src.charCodeAt(s.pos) === C.BACKSLASH && continuationEnd(src, s.pos) < 0) throw syntaxError(s);
  return src.slice(start, s.pos);
}

const NAMED_ESCAPES: ReadonlyMap<number, string> = new Map([
  [0x22, '"'],
  [0x5c, '\\'],
  [0x24, '$'],
  [0x6e, '\n'],
  [0x72, '\r'],
  [0x74, '\t'],
  [0x5f, ' '],
  [0x61, '\x07'],
  [0x62, '\x08'],
  [0x76, '\x0b'],
  [0x66, '\xff'],
]);

function upperHex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/**
 * Decodes the escape at `s.pos` (a backslash inside a string literal) and moves past it.
 * Returns the byte as a one-char binary string, or '' for a line continuation
 * (`\` + line break joins lines inside quotes, dropping the next line's indentation).
 */
export function readEscape(s: Scan): string {
  const src = s.src;
  const at = s.pos;
  const e = src.charCodeAt(at + 1);
  // `\?` was removed in v7.1rc2 (Scripting 47579229, "Constant Escape Sequences").
  const named = e === 0x3f && s.dialect.v6 ? '?' : NAMED_ESCAPES.get(e);
  if (named !== undefined) {
    s.pos = at + 2;
    return named;
  }
  const hi = upperHex(e);
  const lo = upperHex(src.charCodeAt(at + 2));
  if (hi >= 0 && lo >= 0) {
    s.pos = at + 3;
    return String.fromCharCode(hi * 16 + lo);
  }
  const after = continuationEnd(src, at);
  if (after >= 0 && after < src.length) {
    s.pos = after;
    while (src.charCodeAt(s.pos) === C.SP || src.charCodeAt(s.pos) === C.TAB) s.pos++;
    return '';
  }
  throw syntaxError(s, at);
}
