// String literals, `$name` references and `[ ... ]` substitutions. Statements and `( ... )`
// come through the scan's hooks (lexer.ts), so this module imports no parser above it.
import type { Expr } from './ast.js';
import type { Scan } from './lexer.js';
import { C, atEnd, isAlnum, peek, readEscape, readWhile, syntaxError } from './lexer.js';
import { str } from './values.js';

/** `[ ... ]` */
export function parseSub(s: Scan): Expr {
  s.pos++;
  return { k: 'sub', body: s.hooks.statements(s, C.RBRACKET) };
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
    return s.hooks.paren(s);
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
