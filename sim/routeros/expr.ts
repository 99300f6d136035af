// `( ... )` expressions, `{ ... }` array literals and `where` conditions.
import type { ArrayItem, BinOp, Expr, WhereCond } from './ast.js';
import type { Scan } from './lexer.js';
import { C, atBoundary, atEnd, isAlnum, isNameChar, peek, readBare, readWhile, skipBlank, skipInline, syntaxError } from './lexer.js';
import { parseString, parseSub, parseVar } from './literal.js';
import { str } from './values.js';

const PREC: Readonly<Record<BinOp, number>> = {
  '||': 1,
  '&&': 2,
  '=': 3,
  '!=': 3,
  '<': 3,
  '>': 3,
  '<=': 3,
  '>=': 3,
  '~': 3,
  '.': 4,
  '+': 5,
  '-': 5,
  '*': 6,
  '/': 6,
  '%': 6,
};

function keywordAt(s: Scan, word: string): boolean {
  return s.src.startsWith(word, s.pos) && !isNameChar(peek(s, word.length));
}

function readOp(s: Scan): { op: BinOp; len: number } | null {
  const c = String.fromCharCode(peek(s));
  const d = String.fromCharCode(peek(s, 1));
  switch (c) {
    case '&':
      return d === '&' ? { op: '&&', len: 2 } : null;
    case '|':
      return d === '|' ? { op: '||', len: 2 } : null;
    case '!':
      return d === '=' ? { op: '!=', len: 2 } : null;
    case '<':
    case '>':
      return d === '=' ? { op: c === '<' ? '<=' : '>=', len: 2 } : { op: c, len: 1 };
    case '-':
      return d === '>' ? null : { op: '-', len: 1 };
    case '=':
    case '~':
    case '.':
    case '+':
    case '*':
    case '/':
    case '%':
      return { op: c, len: 1 };
    default:
      if (keywordAt(s, 'and')) return { op: '&&', len: 3 };
      if (keywordAt(s, 'or')) return { op: '||', len: 2 };
      return null;
  }
}

/** Parses `( expr )` starting at the `(`. */
export function parseParen(s: Scan): Expr {
  s.pos++;
  const e = parseExpr(s, 0);
  skipBlank(s, false);
  if (peek(s) !== C.RPAREN) throw syntaxError(s);
  s.pos++;
  return e;
}

function parseExpr(s: Scan, minPrec: number): Expr {
  let left = parseUnary(s);
  for (;;) {
    skipBlank(s, false);
    const op = readOp(s);
    if (!op || PREC[op.op] < minPrec) return left;
    s.pos += op.len;
    const right = parseExpr(s, PREC[op.op] + 1);
    left = { k: 'bin', op: op.op, l: left, r: right };
  }
}

function parseUnary(s: Scan): Expr {
  skipBlank(s, false);
  const c = peek(s);
  if (c === C.BANG && peek(s, 1) !== C.EQ) {
    s.pos++;
    return { k: 'not', e: parseUnary(s) };
  }
  if (c === 0x2d) {
    s.pos++;
    return { k: 'neg', e: parseUnary(s) };
  }
  return parsePostfix(s);
}

/** An operand followed by any number of `->key` accesses. */
export function parsePostfix(s: Scan): Expr {
  let e = parsePrimary(s);
  while (peek(s) === 0x2d && peek(s, 1) === 0x3e) {
    s.pos += 2;
    e = { k: 'idx', obj: e, key: parseKey(s) };
  }
  return e;
}

function parseKey(s: Scan): Expr {
  const c = peek(s);
  if (c === C.QUOTE) return parseString(s);
  if (c === C.DOLLAR) return parseVar(s);
  if (c === C.LPAREN) return parseParen(s);
  if (c === C.LBRACKET) return parseSub(s);
  const w = readWhile(s, (x) => isAlnum(x) || x === 0x5f || x === 0x2e || (x === 0x2d && peek(s, 1) !== 0x3e));
  if (w === '') throw syntaxError(s);
  return { k: 'word', w };
}

function parsePrimary(s: Scan): Expr {
  const c = peek(s);
  if (c === C.QUOTE) return parseString(s);
  if (c === C.DOLLAR) return parseVar(s);
  if (c === C.LBRACKET) return parseSub(s);
  if (c === C.LPAREN) return parseParen(s);
  if (c === C.LBRACE) return parseArrayLiteral(s);
  if (c >= 0x30 && c <= 0x39) return { k: 'word', w: readWhile(s, (x) => isAlnum(x) || x === C.COLON || x === 0x2e) };
  if (isAlnum(c) || c === 0x5f) return { k: 'word', w: readWhile(s, (x) => isAlnum(x) || x === 0x5f || x === 0x2d) };
  throw syntaxError(s);
}

function parseArrayValue(s: Scan): Expr {
  const c = peek(s);
  if (c === C.SEMI || c === C.RBRACE) return { k: 'lit', v: str('') };
  if (c === C.QUOTE || c === C.DOLLAR || c === C.LBRACKET || c === C.LPAREN || c === C.LBRACE) return parsePostfix(s);
  const w = readBare(s);
  if (w === '') throw syntaxError(s);
  return { k: 'word', w };
}

/** `{ a; b }` or `{ k=v; "k2"=v2 }` starting at the `{`. */
export function parseArrayLiteral(s: Scan): Expr {
  s.pos++;
  const items: ArrayItem[] = [];
  for (;;) {
    skipBlank(s, false);
    if (atEnd(s)) throw syntaxError(s, s.pos, 'missing closing brace');
    const c = peek(s);
    if (c === C.RBRACE) {
      s.pos++;
      return { k: 'arr', items };
    }
    if (c === C.SEMI) {
      s.pos++;
      continue;
    }
    let key: string | undefined;
    let value: Expr | undefined;
    const start = s.pos;
    if (c === C.QUOTE) {
      const e = parseString(s);
      if (peek(s) === C.EQ) {
        if (e.k !== 'lit' || e.v.t !== 'str') throw syntaxError(s, start);
        key = e.v.v;
        s.pos++;
      } else {
        value = e;
      }
    } else if (isNameChar(c)) {
      const name = readWhile(s, isNameChar);
      if (peek(s) === C.EQ) {
        key = name;
        s.pos++;
      } else {
        s.pos = start;
      }
    }
    items.push({ key, value: value ?? parseArrayValue(s) });
    skipBlank(s, false);
    const d = peek(s);
    if (d !== C.SEMI && d !== C.RBRACE) throw syntaxError(s);
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
    return { k: 'block', body: s.hooks.statements(s, C.RBRACE) };
  }
  if (atBoundary(s)) return { k: 'lit', v: str('') };
  return { k: 'word', w: readBare(s) };
}

function atCommandEnd(s: Scan): boolean {
  if (atEnd(s)) return true;
  const c = peek(s);
  return c === C.SEMI || c === C.LF || c === C.CR || c === C.RBRACE || c === C.RBRACKET || c === C.HASH;
}

/** `where` condition of find/print: `field`, `field=value` (= != ~ < > <= >=), `!`/`not`, `and`/`or`, `( )`. */
export function parseWhere(s: Scan): WhereCond {
  skipInline(s);
  const cond = whereOr(s);
  skipInline(s);
  if (!atCommandEnd(s)) throw syntaxError(s);
  return cond;
}

function whereOr(s: Scan): WhereCond {
  let l = whereAnd(s);
  for (;;) {
    skipInline(s);
    if (keywordAt(s, 'or')) s.pos += 2;
    else if (peek(s) === 0x7c && peek(s, 1) === 0x7c) s.pos += 2;
    else return l;
    l = { k: 'or', l, r: whereAnd(s) };
  }
}

function whereAnd(s: Scan): WhereCond {
  let l = whereUnary(s);
  for (;;) {
    skipInline(s);
    if (keywordAt(s, 'and')) s.pos += 3;
    else if (peek(s) === 0x26 && peek(s, 1) === 0x26) s.pos += 2;
    else if (atCommandEnd(s) || peek(s) === C.RPAREN || keywordAt(s, 'or') || peek(s) === 0x7c) return l;
    l = { k: 'and', l, r: whereUnary(s) };
  }
}

function whereUnary(s: Scan): WhereCond {
  skipInline(s);
  if (peek(s) === C.BANG) {
    s.pos++;
    return { k: 'not', c: whereUnary(s) };
  }
  if (keywordAt(s, 'not')) {
    s.pos += 3;
    return { k: 'not', c: whereUnary(s) };
  }
  if (peek(s) === C.LPAREN) {
    s.pos++;
    const c = whereOr(s);
    skipInline(s);
    if (peek(s) !== C.RPAREN) throw syntaxError(s);
    s.pos++;
    return c;
  }
  const field = readWhile(s, isNameChar);
  if (field === '') throw syntaxError(s);
  const a = String.fromCharCode(peek(s));
  const b = String.fromCharCode(peek(s, 1));
  let op: '=' | '!=' | '~' | '<' | '>' | '<=' | '>=' | null = null;
  if (a === '!' && b === '=') op = '!=';
  else if ((a === '<' || a === '>') && b === '=') op = a === '<' ? '<=' : '>=';
  else if (a === '=' || a === '~' || a === '<' || a === '>') op = a;
  if (op === null) {
    if (!atBoundary(s)) throw syntaxError(s);
    return { k: 'field', field };
  }
  s.pos += op.length;
  const value = parseArgValue(s, false);
  if (!atBoundary(s)) throw syntaxError(s);
  return { k: 'cmp', field, op, value };
}
