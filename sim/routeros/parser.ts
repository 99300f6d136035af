// Statements, commands, arguments and string literals. Expressions, arrays and
// `where` conditions live in expr.ts.
import type { Arg, Expr, Head, Program, Stmt } from './ast.js';
import { ScriptError } from './errors.js';
import { parseArrayLiteral, parseParen, parsePostfix, parseWhere } from './expr.js';
import type { Scan } from './lexer.js';
import {
  C,
  atBoundary,
  atEnd,
  isAlnum,
  isNameChar,
  lineCol,
  makeScan,
  peek,
  readBare,
  readEscape,
  readWhile,
  skipBlank,
  skipComment,
  skipInline,
  syntaxError,
} from './lexer.js';
import { str } from './values.js';

const BLOCK_ARGS: ReadonlySet<string> = new Set(['do', 'else', 'on-error']);
const BLOCK_POSITIONAL: ReadonlySet<string> = new Set(['do', 'onerror', 'execute']);

/** Whether `{...}` for this argument is a code block (else it is an array literal). */
function isBlockArg(cmd: string | undefined, name: string | undefined): boolean {
  if (name === undefined) return cmd !== undefined && BLOCK_POSITIONAL.has(cmd);
  if (BLOCK_ARGS.has(name)) return true;
  return (cmd === 'onerror' && name === 'in') || (cmd === 'execute' && name === 'script');
}

/** Parses statements up to `close` (a char code, consumed) or, with -1, to the end of input. */
export function parseStatements(s: Scan, close: number): Stmt[] {
  const out: Stmt[] = [];
  for (;;) {
    skipBlank(s, true);
    if (atEnd(s)) {
      if (close === -1) return out;
      throw syntaxError(s, s.pos, close === C.RBRACE ? 'missing closing brace' : 'syntax error');
    }
    const c = peek(s);
    if (c === close) {
      s.pos++;
      return out;
    }
    if (c === C.RBRACE || c === C.RBRACKET || c === C.RPAREN) throw syntaxError(s);
    out.push(parseStatement(s));
    skipInline(s);
    if (peek(s) === C.HASH) skipComment(s);
    if (atEnd(s)) continue;
    const d = peek(s);
    if (d === C.SEMI || d === C.LF || d === C.CR) s.pos++;
    else if (d !== close) throw syntaxError(s, s.pos, 'expected end of command');
  }
}

function parsePathSegs(s: Scan): string[] {
  const segs: string[] = [];
  for (;;) {
    const seg = readWhile(s, isNameChar);
    if (seg === '') break;
    segs.push(seg);
    if (peek(s) !== C.SLASH || !isNameChar(peek(s, 1))) break;
    // `/ip/address/print` is v7 only; v6 rejects it while parsing.
    if (s.v6) throw syntaxError(s);
    s.pos++;
  }
  if (!atBoundary(s)) throw syntaxError(s);
  return segs;
}

function parseStatement(s: Scan): Stmt {
  const start = s.pos;
  const { line, col } = lineCol(s, start);
  const c = peek(s);
  if (c === C.LBRACE) {
    s.pos++;
    return { k: 'block', body: parseStatements(s, C.RBRACE) };
  }
  let head: Head;
  let cmd: string | undefined;
  if (c === C.SLASH) {
    s.pos++;
    skipInline(s);
    head = { k: 'path', abs: true, segs: parsePathSegs(s) };
  } else if (c === C.COLON) {
    s.pos++;
    const name = readWhile(s, isNameChar);
    if (name === '' || !atBoundary(s)) throw syntaxError(s);
    // v6 has no :onerror; its parser rejects the whole script.
    if (s.v6 && name === 'onerror') throw syntaxError(s, start + 1);
    head = { k: 'global', name };
    cmd = name;
  } else if (c === C.DOLLAR || c === C.LBRACKET || c === C.LPAREN) {
    head = { k: 'call', fn: parsePostfix(s) };
    if (!atBoundary(s)) throw syntaxError(s);
  } else if (isNameChar(c)) {
    head = { k: 'path', abs: false, segs: parsePathSegs(s) };
  } else {
    throw syntaxError(s);
  }
  return { k: 'cmd', head, args: parseArgs(s, cmd), line, col };
}

function parseArgs(s: Scan, cmd: string | undefined): Arg[] {
  const args: Arg[] = [];
  for (;;) {
    skipInline(s);
    if (atEnd(s)) return args;
    const c = peek(s);
    if (c === C.SEMI || c === C.LF || c === C.CR || c === C.RBRACE || c === C.RBRACKET || c === C.RPAREN || c === C.HASH) {
      return args;
    }
    const start = s.pos;
    if (isNameChar(c)) {
      const name = readWhile(s, isNameChar);
      if (peek(s) === C.EQ) {
        s.pos++;
        args.push({ name, value: parseArgValue(s, isBlockArg(cmd, name)) });
      } else {
        s.pos = start;
        const w = readBare(s);
        if (w === 'where' && atBoundary(s)) {
          args.push({ name: 'where', value: { k: 'where', cond: parseWhere(s) } });
          return args;
        }
        args.push({ value: { k: 'word', w } });
      }
    } else {
      args.push({ value: parseArgValue(s, isBlockArg(cmd, undefined)) });
    }
    if (!atBoundary(s)) throw syntaxError(s);
  }
}

/** The value of an argument: quoted, `$var`, `[cmd]`, `(expr)`, `{block}` / `{array}` or a bare word. */
export function parseArgValue(s: Scan, asBlock: boolean): Expr {
  const c = peek(s);
  if (c === C.QUOTE) return parseString(s);
  if (c === C.DOLLAR || c === C.LBRACKET || c === C.LPAREN) return parsePostfix(s);
  if (c === C.LBRACE) {
    if (!asBlock) return parseArrayLiteral(s);
    s.pos++;
    return { k: 'block', body: parseStatements(s, C.RBRACE) };
  }
  if (atBoundary(s)) return { k: 'lit', v: str('') };
  return { k: 'word', w: readBare(s) };
}

/** `[ ... ]` */
export function parseSub(s: Scan): Expr {
  s.pos++;
  return { k: 'sub', body: parseStatements(s, C.RBRACKET) };
}

/** `$name` or `$"quoted name"` outside strings. */
export function parseVar(s: Scan): Expr {
  const at = s.pos;
  s.pos++;
  if (peek(s) === C.QUOTE) return { k: 'var', name: constantString(s, parseString(s), at) };
  const name = readWhile(s, isAlnum);
  if (name === '') throw syntaxError(s, at);
  return { k: 'var', name };
}

function constantString(s: Scan, e: Expr, at: number): string {
  if (e.k !== 'lit' || e.v.t !== 'str') throw syntaxError(s, at);
  return e.v.v;
}

/** `$name`, `$"name"`, `$[cmd]` or `$(expr)` inside a string literal. */
function parseSubstitution(s: Scan): Expr {
  const at = s.pos;
  const c = peek(s, 1);
  if (c === C.LBRACKET) {
    s.pos++;
    return parseSub(s);
  }
  if (c === C.LPAREN) {
    s.pos++;
    return parseParen(s);
  }
  if (c === C.QUOTE || isAlnum(c)) return parseVar(s);
  throw syntaxError(s, at);
}

/** A double-quoted literal with every documented escape and `$` substitution. */
export function parseString(s: Scan): Expr {
  const src = s.src;
  s.pos++;
  const parts: (string | Expr)[] = [];
  let text = '';
  for (;;) {
    const run = s.pos;
    while (s.pos < src.length) {
      const c = src.charCodeAt(s.pos);
      if (c === C.QUOTE || c === C.BACKSLASH || c === C.DOLLAR || c === C.LF || c === C.CR) break;
      s.pos++;
    }
    text += src.slice(run, s.pos);
    if (atEnd(s)) throw syntaxError(s);
    const c = peek(s);
    if (c === C.QUOTE) {
      s.pos++;
      break;
    }
    if (c === C.LF || c === C.CR) throw syntaxError(s);
    if (c === C.BACKSLASH) {
      text += readEscape(s);
      continue;
    }
    const sub = parseSubstitution(s);
    if (text !== '') parts.push(text);
    text = '';
    parts.push(sub);
  }
  if (text !== '') parts.push(text);
  if (parts.length === 0) return { k: 'lit', v: str('') };
  const only = parts[0];
  if (parts.length === 1 && typeof only === 'string') return { k: 'lit', v: str(only) };
  return { k: 'str', parts };
}

/** Decodes one complete double-quoted literal without substitutions (binary in, binary out); throws ScriptError. */
export function parseStringLiteral(literal: string): string {
  const s = makeScan(literal, false);
  if (peek(s) !== C.QUOTE) throw syntaxError(s);
  const e = parseString(s);
  if (!atEnd(s)) throw syntaxError(s);
  if (e.k !== 'lit' || e.v.t !== 'str') throw new ScriptError('literal contains substitutions');
  return e.v.v;
}

/** Parses a whole script (binary string). Throws ScriptError on a syntax error. */
export function parseProgram(src: string, v6: boolean): Program {
  return { body: parseStatements(makeScan(src, v6), -1) };
}

// Parsed programs (and parse errors) by source, per dialect. Bounded by entries and by total
// source size; least recently used first out.
const MAX_CACHED = 512;
const MAX_CACHED_SOURCE = 128 * 1024;
const MAX_CACHED_TOTAL = 16 * 1024 * 1024;

interface Cache {
  readonly map: Map<string, Program | string>;
  bytes: number;
}

const caches: Record<'v6' | 'v7', Cache> = { v6: { map: new Map(), bytes: 0 }, v7: { map: new Map(), bytes: 0 } };

/** parseProgram with a bounded cache keyed by source text, so fleets re-running one script parse it once. */
export function parseCached(src: string, v6: boolean): Program {
  if (src.length > MAX_CACHED_SOURCE) return parseProgram(src, v6);
  const cache = caches[v6 ? 'v6' : 'v7'];
  let hit = cache.map.get(src);
  if (hit === undefined) {
    try {
      hit = parseProgram(src, v6);
    } catch (e) {
      if (!(e instanceof ScriptError)) throw e;
      hit = e.message;
    }
    cache.bytes += src.length;
    while (cache.map.size >= MAX_CACHED || cache.bytes > MAX_CACHED_TOTAL) {
      const oldest = cache.map.keys().next().value;
      if (oldest === undefined) break;
      cache.map.delete(oldest);
      cache.bytes -= oldest.length;
    }
  } else {
    cache.map.delete(src);
  }
  cache.map.set(src, hit);
  if (typeof hit === 'string') throw new ScriptError(hit);
  return hit;
}
