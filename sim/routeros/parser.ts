// Statements, commands and arguments; the program cache. Expressions, arrays and `where` live in
// expr.ts, string literals in literal.ts; both reach back here only through the scan's hooks.
import type { Arg, Head, Program, Stmt } from './ast.js';
import { checkDeclarations } from './declarations.js';
import { ScriptError } from './errors.js';
import { parseArgValue, parseParen, parsePostfix, parseWhere } from './expr.js';
import type { Dialect, ParseHooks, Scan } from './lexer.js';
import {
  C,
  atBoundary,
  atEnd,
  isNameChar,
  lineCol,
  makeScan,
  peek,
  readBare,
  readWhile,
  skipBlank,
  skipComment,
  skipInline,
  syntaxError,
} from './lexer.js';
import { parseString } from './literal.js';

const BLOCK_ARGS: ReadonlySet<string> = new Set(['do', 'else', 'on-error']);
const BLOCK_POSITIONAL: ReadonlySet<string> = new Set(['do', 'onerror', 'execute']);

/** Whether `{...}` for this argument is a code block (else it is an array literal). */
function isBlockArg(cmd: string | undefined, name: string | undefined): boolean {
  if (name === undefined) return cmd !== undefined && BLOCK_POSITIONAL.has(cmd);
  if (BLOCK_ARGS.has(name)) return true;
  return (cmd === 'onerror' && name === 'in') || (cmd === 'execute' && name === 'script');
}

/** Parses statements up to `close` (a char code, consumed) or, with -1, to the end of input. */
function parseStatements(s: Scan, close: number): Stmt[] {
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

const HOOKS: ParseHooks = { statements: parseStatements, paren: parseParen };

function parsePathSegs(s: Scan): string[] {
  const segs: string[] = [];
  for (;;) {
    const seg = readWhile(s, isNameChar);
    if (seg === '') break;
    segs.push(seg);
    if (peek(s) !== C.SLASH || !isNameChar(peek(s, 1))) break;
    // `/ip/address/print` is v7 only; v6 rejects it while parsing.
    if (s.dialect.v6) throw syntaxError(s);
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
    // Without :onerror (v6, before 7.15) its `in={...}` is no block: the parser rejects the script.
    if (!s.dialect.onerror && name === 'onerror') throw syntaxError(s, start + 1);
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
    const { line, col } = lineCol(s, start);
    if (isNameChar(c)) {
      const name = readWhile(s, isNameChar);
      if (peek(s) === C.EQ) {
        s.pos++;
        args.push({ name, value: parseArgValue(s, isBlockArg(cmd, name)), line, col });
      } else {
        s.pos = start;
        const w = readBare(s);
        if (w === 'where' && atBoundary(s)) {
          args.push({ name: 'where', value: { k: 'where', cond: parseWhere(s) }, line, col });
          return args;
        }
        args.push({ value: { k: 'word', w }, line, col });
      }
    } else {
      args.push({ value: parseArgValue(s, isBlockArg(cmd, undefined)), line, col });
    }
    if (!atBoundary(s)) throw syntaxError(s);
  }
}

const LITERAL_HOOKS: ParseHooks = {
  statements: (s) => {
    throw syntaxError(s);
  },
  paren: (s) => {
    throw syntaxError(s);
  },
};

/** Decodes one complete double-quoted literal without substitutions (binary in, binary out); throws ScriptError. */
export function parseStringLiteral(literal: string, v6: boolean): string {
  const s = makeScan(literal, { v6, onerror: !v6 }, LITERAL_HOOKS);
  if (peek(s) !== C.QUOTE) throw syntaxError(s);
  const e = parseString(s);
  if (!atEnd(s)) throw syntaxError(s);
  if (e.k !== 'lit' || e.v.t !== 'str') throw new ScriptError('literal contains substitutions');
  return e.v.v;
}

/** Parses a whole script (binary string) and checks its declarations. Throws ScriptError on a syntax error. */
export function parseProgram(src: string, dialect: Dialect): Program {
  const s = makeScan(src, dialect, HOOKS);
  const program = { body: parseStatements(s, -1) };
  checkDeclarations(program);
  return program;
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

const caches = new Map<string, Cache>();

/** parseProgram with a bounded cache keyed by source text, so fleets re-running one script parse it once. */
export function parseCached(src: string, dialect: Dialect): Program {
  if (src.length > MAX_CACHED_SOURCE) return parseProgram(src, dialect);
  const key = `${dialect.v6 ? '6' : '7'}${dialect.onerror ? 'e' : ''}`;
  let cache = caches.get(key);
  if (!cache) caches.set(key, (cache = { map: new Map(), bytes: 0 }));
  let hit = cache.map.get(src);
  if (hit === undefined) {
    try {
      hit = parseProgram(src, dialect);
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
