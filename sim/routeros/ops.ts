// Operators of `( ... )` expressions.
import type { BinOp } from './ast.js';
import { ScriptError } from './errors.js';
import { fromBin } from './bytes.js';
import type { Value } from './values.js';
import { arrayEntries, bool, num, str, time, toBool, toNum, toStr } from './values.js';

function numeric(v: Value, op: string): number {
  const n = toNum(v);
  if (n === null) throw new ScriptError(`cannot apply ${op} to ${v.t}`);
  return n;
}

function arith(op: '+' | '-' | '*' | '/' | '%', l: Value, r: Value): Value {
  const lt = l.t === 'time';
  const rt = r.t === 'time';
  if (lt || rt) {
    const a = lt ? l.v : numeric(l, op);
    const b = rt ? r.v : numeric(r, op);
    switch (op) {
      case '+':
        return time(a + b);
      case '-':
        return time(a - b);
      case '*':
        return time(a * b);
      case '/':
        if (b === 0) throw new ScriptError('division by zero');
        return lt && rt ? num(Math.trunc(a / b)) : time(a / b);
      case '%':
        if (b === 0) throw new ScriptError('division by zero');
        return time(a % b);
    }
  }
  const a = numeric(l, op);
  const b = numeric(r, op);
  switch (op) {
    case '+':
      return num(a + b);
    case '-':
      return num(a - b);
    case '*':
      return num(a * b);
    case '/':
      if (b === 0) throw new ScriptError('division by zero');
      return num(Math.trunc(a / b));
    case '%':
      if (b === 0) throw new ScriptError('division by zero');
      return num(a % b);
  }
}

/** Equality as `=` sees it: same type and value (nil and nothing are equal). */
export function valuesEqual(l: Value, r: Value): boolean {
  const lEmpty = l.t === 'nil' || l.t === 'nothing';
  const rEmpty = r.t === 'nil' || r.t === 'nothing';
  if (lEmpty || rEmpty) return lEmpty && rEmpty;
  if ((l.t === 'id' || l.t === 'str') && (r.t === 'id' || r.t === 'str')) return l.v === r.v;
  if ((l.t === 'num' || l.t === 'time') && (r.t === 'num' || r.t === 'time')) return l.t === r.t && l.v === r.v;
  if (l.t === 'bool' && r.t === 'bool') return l.v === r.v;
  if (l.t === 'array' && r.t === 'array') {
    const a = arrayEntries(l.v);
    const b = arrayEntries(r.v);
    return a.length === b.length && a.every(([k, v], i) => valuesEqual(k, b[i]![0]) && valuesEqual(v, b[i]![1]));
  }
  if (l.t === 'code' && r.t === 'code') return l.body === r.body;
  return false;
}

/** Ordering for < > <= >=; null when the two values are not comparable. */
function compare(l: Value, r: Value): number | null {
  if ((l.t === 'num' || l.t === 'time') && (r.t === 'num' || r.t === 'time')) return l.v - r.v;
  if ((l.t === 'str' || l.t === 'id') && (r.t === 'str' || r.t === 'id')) return l.v < r.v ? -1 : l.v > r.v ? 1 : 0;
  return null;
}

function regexMatch(l: Value, r: Value): boolean {
  let re: RegExp;
  try {
    re = new RegExp(fromBin(toStr(r)));
  } catch {
    throw new ScriptError('invalid regular expression');
  }
  return re.test(fromBin(toStr(l)));
}

export function truthy(v: Value): boolean {
  const b = toBool(v);
  if (b === null) throw new ScriptError(`expected boolean, got ${v.t}`);
  return b;
}

/** Applies a binary operator (except && and ||, which short-circuit in the interpreter). */
export function binary(op: BinOp, l: Value, r: Value): Value {
  switch (op) {
    case '.':
      return str(toStr(l) + toStr(r));
    case '+':
    case '-':
    case '*':
    case '/':
    case '%':
      return arith(op, l, r);
    case '=':
      return bool(valuesEqual(l, r));
    case '!=':
      return bool(!valuesEqual(l, r));
    case '<':
    case '>':
    case '<=':
    case '>=': {
      const c = compare(l, r);
      if (c === null) return bool(false);
      return bool(op === '<' ? c < 0 : op === '>' ? c > 0 : op === '<=' ? c <= 0 : c >= 0);
    }
    case '~':
      return bool(regexMatch(l, r));
    case '&&':
      return bool(truthy(l) && truthy(r));
    case '||':
      return bool(truthy(l) || truthy(r));
  }
}

export function negate(v: Value): Value {
  if (v.t === 'time') return time(-v.v);
  return num(-numeric(v, '-'));
}
