// Global `:` commands that inspect and convert values.
import { Buffer } from 'node:buffer';
import { argValue, split } from './args.js';
import type { GlobalCommand, GlobalCtx } from './interpreter.js';
import { clockMs } from './clock.js';
import { commandError } from './interpreter.js';
import { valuesEqual } from './ops.js';
import type { Value } from './ast.js';
import {
  NIL,
  NOTHING,
  arr,
  arrayEntries,
  arrayLength,
  bool,
  num,
  str,
  time,
  toBool,
  toNum,
  toStr,
  toTime,
} from './values.js';

async function one(c: GlobalCtx, name = 'value'): Promise<Value> {
  return (await argValue(c, split(c.st.args), name, 0)) ?? NOTHING;
}

function index(c: GlobalCtx, v: Value | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  const n = toNum(v);
  if (n === null) throw commandError(c.st, `invalid value for ${what}`);
  return n;
}

function lengthOf(v: Value): number {
  if (v.t === 'array') return arrayLength(v.v);
  return toStr(v).length;
}

async function cmdPick(c: GlobalCtx): Promise<Value> {
  const a = split(c.st.args);
  const v = (await argValue(c, a, 'value', 0)) ?? NOTHING;
  const len = lengthOf(v);
  const clamp = (n: number): number => Math.min(Math.max(n, 0), len);
  const start = clamp(index(c, await argValue(c, a, 'begin', 1), 'begin') ?? 0);
  const endArg = index(c, await argValue(c, a, 'end', 2), 'end');
  if (v.t === 'array') {
    const entries = arrayEntries(v.v);
    if (endArg === undefined) return entries[start]?.[1] ?? NOTHING;
    const slice = entries.slice(start, clamp(endArg));
    const keys = new Map<string, Value>();
    const items: Value[] = [];
    for (const [k, x] of slice) {
      if (k.t === 'str') keys.set(k.v, x);
      else items.push(x);
    }
    return arr(items, keys);
  }
  const s = toStr(v);
  if (endArg === undefined) return start < len ? str(s.charAt(start)) : NIL;
  return str(s.slice(start, Math.max(start, clamp(endArg))));
}

async function cmdFind(c: GlobalCtx): Promise<Value> {
  const a = split(c.st.args);
  const hay = (await argValue(c, a, 'value', 0)) ?? NOTHING;
  const needle = (await argValue(c, a, 'needle', 1)) ?? NOTHING;
  const after = index(c, await argValue(c, a, 'start', 2), 'start') ?? -1;
  if (hay.t === 'array') {
    const entries = arrayEntries(hay.v);
    for (let i = Math.max(after + 1, 0); i < entries.length; i++) {
      const [k, x] = entries[i]!;
      if (valuesEqual(x, needle)) return k;
    }
    return NIL;
  }
  const at = toStr(hay).indexOf(toStr(needle), Math.max(after + 1, 0));
  return at < 0 ? NIL : num(at);
}

function toArray(v: Value): Value {
  if (v.t === 'array') return v;
  if (v.t === 'nothing' || v.t === 'nil') return arr([]);
  if (v.t === 'str') return arr(v.v === '' ? [] : v.v.split(',').map((x) => str(x)));
  return arr([v]);
}

function decodeFrom(from: string, s: string): string {
  switch (from) {
    case 'raw':
      return s;
    case 'base64':
      return Buffer.from(s, 'base64').toString('latin1');
    case 'hex':
      return Buffer.from(s, 'hex').toString('latin1');
    case 'url':
      return s.replace(/%([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
    default:
      throw new Error(from);
  }
}

function encodeTo(to: string, s: string): string {
  switch (to) {
    case 'raw':
      return s;
    case 'base64':
      return Buffer.from(s, 'latin1').toString('base64');
    case 'hex':
      return Buffer.from(s, 'latin1').toString('hex');
    case 'url': {
      let out = '';
      for (let i = 0; i < s.length; i++) {
        const ch = s.charAt(i);
        out += /[A-Za-z0-9\-_.~]/.test(ch) ? ch : `%${s.charCodeAt(i).toString(16).toUpperCase().padStart(2, '0')}`;
      }
      return out;
    }
    default:
      throw new Error(to);
  }
}

/** `:convert [from=raw|base64|hex|url] to=raw|base64|hex|url value` (v7). */
async function cmdConvert(c: GlobalCtx): Promise<Value> {
  const a = split(c.st.args);
  const v = (await argValue(c, a, 'value', 0)) ?? NOTHING;
  const from = toStr((await argValue(c, a, 'from', -1)) ?? str('raw'));
  const to = toStr((await argValue(c, a, 'to', -1)) ?? str('raw'));
  try {
    return str(encodeTo(to, decodeFrom(from, toStr(v))));
  } catch {
    throw commandError(c.st, 'invalid value for conversion');
  }
}

async function cmdRndnum(c: GlobalCtx): Promise<Value> {
  const a = split(c.st.args);
  const from = index(c, await argValue(c, a, 'from', -1), 'from') ?? 0;
  const to = index(c, await argValue(c, a, 'to', -1), 'to') ?? 0;
  return num(from + Math.floor(Math.random() * (to - from + 1)));
}

const conv =
  (f: (v: Value) => Value): GlobalCommand =>
  async (c) =>
    f(await one(c));

type DataCommand = readonly [name: string, run: GlobalCommand, params: readonly string[], unnamed: readonly string[], v7?: boolean];

const VALUE = ['value'];

/** Each command with its named parameters, unnamed count and whether it is v7 only (Scripting 47579229). */
export const DATA_COMMANDS: readonly DataCommand[] = [
  ['typeof', conv((v) => str(v.t)), VALUE, VALUE],
  ['tostr', conv((v) => str(toStr(v))), VALUE, VALUE],
  ['tonum', conv((v) => {
    const n = toNum(v);
    return n === null ? NIL : num(n);
  }), VALUE, VALUE],
  ['tobool', conv((v) => {
    const b = toBool(v);
    return b === null ? NIL : bool(b);
  }), VALUE, VALUE],
  ['totime', conv((v) => {
    const t = toTime(v);
    return t === null ? NIL : time(t);
  }), VALUE, VALUE],
  ['tonsec', conv((v) => {
    const t = toTime(v);
    return t === null ? NIL : num(Math.round(t * 1e9));
  }), VALUE, VALUE, true],
  ['toarray', conv(toArray), VALUE, VALUE],
  ['len', conv((v) => num(lengthOf(v))), VALUE, VALUE],
  ['pick', cmdPick, ['value', 'begin', 'end'], ['value', 'begin', 'end']],
  ['find', cmdFind, ['value', 'needle', 'start'], ['value', 'needle', 'start']],
  ['convert', cmdConvert, ['value', 'from', 'to', 'transform'], VALUE, true],
  ['rndnum', cmdRndnum, ['from', 'to'], []],
  ['timestamp', (c) => Promise.resolve(time(clockMs(c.rt.state, c.rt.host, c.rt.v6) / 1000)), [], [], true],
];
