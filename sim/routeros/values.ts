// Script values and their conversions. `str` values hold binary strings (bytes.ts).
import type { RArray, Stmt, Value } from './ast.js';
import { fromBin, toBin } from './bytes.js';

export type { RArray, Value } from './ast.js';

export type ValueType = Value['t'];

export const NIL: Value = { t: 'nil' };
export const NOTHING: Value = { t: 'nothing' };
export const TRUE: Value = { t: 'bool', v: true };
export const FALSE: Value = { t: 'bool', v: false };
const EMPTY_KEYS: ReadonlyMap<string, Value> = new Map();

export function str(v: string): Value {
  return { t: 'str', v };
}
export function num(v: number): Value {
  return { t: 'num', v };
}
export function bool(v: boolean): Value {
  return v ? TRUE : FALSE;
}
export function time(seconds: number): Value {
  return { t: 'time', v: Math.round(seconds * 1000) / 1000 };
}
export function arr(items: readonly Value[], keys: ReadonlyMap<string, Value> = EMPTY_KEYS): Value {
  return { t: 'array', v: { items, keys } };
}
export function code(body: readonly Stmt[]): Value {
  return { t: 'code', body };
}

const pad2 = (n: number): string => (n < 10 ? `0${String(n)}` : String(n));

/** `[Nw][Nd]HH:MM:SS[.mmm]`, the form :tostr and concatenation produce. */
export function formatTime(seconds: number): string {
  const neg = seconds < 0;
  let ms = Math.round(Math.abs(seconds) * 1000);
  const frac = ms % 1000;
  ms = (ms - frac) / 1000;
  const w = Math.floor(ms / 604800);
  const d = Math.floor((ms % 604800) / 86400);
  const h = Math.floor((ms % 86400) / 3600);
  const m = Math.floor((ms % 3600) / 60);
  const s = ms % 60;
  let out = neg ? '-' : '';
  if (w > 0) out += `${String(w)}w`;
  if (d > 0) out += `${String(d)}d`;
  out += `${pad2(h)}:${pad2(m)}:${pad2(s)}`;
  if (frac > 0) out += `.${String(frac).padStart(3, '0')}`;
  return out;
}

/** `1w2d3h4m5s` with zero parts left out (print/export style); `0s` for zero. */
export function formatInterval(seconds: number): string {
  let rest = Math.round(seconds * 1000);
  const units: [string, number][] = [['w', 604800000], ['d', 86400000], ['h', 3600000], ['m', 60000], ['s', 1000], ['ms', 1]];
  let out = '';
  for (const [u, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${String(n)}${u}`;
    rest -= n * size;
  }
  return out === '' ? '0s' : out;
}

const UNIT_RE = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/;
const CLOCK_RE = /^(?:(\d+)w)?(?:(\d+)d)?(\d+):(\d{1,2})(?::(\d{1,2}))?(?:\.(\d{1,9}))?$/;

/** Parses `15m`, `2d0h5m10s`, `500ms`, `1d02:15:38`, `00:00:29`, `10:00`, `-1h`; null if not a time. */
export function parseTime(text: string): number | null {
  if (text === '') return null;
  const neg = text.startsWith('-');
  const t = neg ? text.slice(1) : text;
  let secs: number;
  const u = UNIT_RE.exec(t);
  if (u) {
    if (t === '') return null;
    const n = (i: number): number => Number(u[i] ?? 0);
    secs = n(1) * 604800 + n(2) * 86400 + n(3) * 3600 + n(4) * 60 + n(5) + n(6) / 1000;
  } else {
    const c = CLOCK_RE.exec(t);
    if (!c) return null;
    const n = (i: number): number => Number(c[i] ?? 0);
    const frac = c[6] === undefined ? 0 : Number(`0.${c[6]}`);
    secs = n(1) * 604800 + n(2) * 86400 + n(3) * 3600 + n(4) * 60 + n(5) + frac;
  }
  return neg ? -secs : secs;
}

const INT_RE = /^-?\d+$/;
const HEX_RE = /^0x[0-9a-fA-F]+$/;

/** Types an unquoted word the way RouterOS does for script values. */
export function classifyWord(w: string): Value {
  if (INT_RE.test(w)) return num(Number(w));
  if (HEX_RE.test(w)) return num(parseInt(w.slice(2), 16));
  if (w === 'true' || w === 'yes') return TRUE;
  if (w === 'false' || w === 'no') return FALSE;
  if (/^-?\d/.test(w)) {
    const t = parseTime(w);
    if (t !== null) return time(t);
  }
  return str(w);
}

export function typeName(v: Value): string {
  return v.t;
}

/** Script-visible string form (binary string). */
export function toStr(v: Value): string {
  switch (v.t) {
    case 'str':
    case 'id':
      return v.v;
    case 'num':
      return String(v.v);
    case 'bool':
      return v.v ? 'true' : 'false';
    case 'time':
      return formatTime(v.v);
    case 'array':
      return arrayEntries(v.v)
        .map(([k, x]) => (k.t === 'str' ? `${k.v}=${toStr(x)}` : toStr(x)))
        .join(';');
    case 'nil':
    case 'nothing':
      return '';
    case 'code':
      return '(code)';
  }
}

/** Number form for arithmetic and :tonum; null when not numeric. */
export function toNum(v: Value): number | null {
  switch (v.t) {
    case 'num':
      return v.v;
    case 'time':
      return Math.trunc(v.v);
    case 'bool':
      return v.v ? 1 : 0;
    case 'str': {
      const s = v.v.trim();
      if (INT_RE.test(s)) return Number(s);
      if (HEX_RE.test(s)) return parseInt(s.slice(2), 16);
      return null;
    }
    case 'array':
    case 'code':
    case 'id':
    case 'nil':
    case 'nothing':
      return null;
  }
}

/** Time form for :totime, :delay and intervals; null when not a time. */
export function toTime(v: Value): number | null {
  switch (v.t) {
    case 'time':
      return v.v;
    case 'num':
      return v.v;
    case 'str':
      return INT_RE.test(v.v) ? Number(v.v) : parseTime(v.v);
    case 'array':
    case 'bool':
    case 'code':
    case 'id':
    case 'nil':
    case 'nothing':
      return null;
  }
}

/** Boolean form for :tobool and conditions; null when not convertible. */
export function toBool(v: Value): boolean | null {
  switch (v.t) {
    case 'bool':
      return v.v;
    case 'num':
      return v.v !== 0;
    case 'str':
      if (v.v === 'true' || v.v === 'yes') return true;
      if (v.v === 'false' || v.v === 'no') return false;
      return null;
    case 'nil':
    case 'nothing':
      return false;
    case 'array':
    case 'code':
    case 'id':
    case 'time':
      return null;
  }
}

/** Entries in RouterOS order: list elements (num keys), then named ones sorted. */
export function arrayEntries(a: RArray): [Value, Value][] {
  const out: [Value, Value][] = a.items.map((x, i) => [num(i), x]);
  if (a.keys.size > 0) {
    for (const k of [...a.keys.keys()].sort()) out.push([str(k), a.keys.get(k)!]);
  }
  return out;
}

export function arrayLength(a: RArray): number {
  return a.items.length + a.keys.size;
}

export function arrayGet(a: RArray, key: Value): Value {
  if (key.t === 'num') return a.items[key.v] ?? NOTHING;
  const k = toStr(key);
  const named = a.keys.get(k);
  if (named !== undefined) return named;
  if (INT_RE.test(k)) return a.items[Number(k)] ?? NOTHING;
  return NOTHING;
}

/** Returns a copy of `a` with `key` set (or removed when value is undefined). */
export function arraySet(a: RArray, key: Value, value: Value | undefined): RArray {
  const k = key.t === 'num' ? key.v : toStr(key);
  if (typeof k === 'number' && k >= 0 && k <= a.items.length) {
    const items = a.items.slice();
    if (value === undefined) items.splice(k, 1);
    else items[k] = value;
    return { items, keys: a.keys };
  }
  const keys = new Map(a.keys);
  if (value === undefined) keys.delete(String(k));
  else keys.set(String(k), value);
  return { items: a.items, keys };
}

/** JS view of a value for hosts and tests: strings decoded from UTF-8, times in seconds. */
export function toJs(v: Value): unknown {
  switch (v.t) {
    case 'str':
    case 'id':
      return fromBin(v.v);
    case 'num':
    case 'bool':
    case 'time':
      return v.v;
    case 'array':
      if (v.v.keys.size === 0) return v.v.items.map(toJs);
      return Object.fromEntries(arrayEntries(v.v).map(([k, x]) => [fromBin(toStr(k)), toJs(x)]));
    case 'nil':
    case 'nothing':
      return null;
    case 'code':
      return '(code)';
  }
}

/** Script value from JS data: strings are encoded to UTF-8 bytes, numbers become num. */
export function fromJs(x: unknown): Value {
  if (typeof x === 'string') return str(toBin(x));
  if (typeof x === 'number') return num(Math.trunc(x));
  if (typeof x === 'boolean') return bool(x);
  if (Array.isArray(x)) return arr(x.map(fromJs));
  if (x !== null && typeof x === 'object') {
    return arr([], new Map(Object.entries(x).map(([k, y]) => [toBin(k), fromJs(y)])));
  }
  return NOTHING;
}
