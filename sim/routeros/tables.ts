// Generic list menus (/ip address, /system script, ...): add, remove, set, get, find, print, export.
import { fromBin, toBin } from './bytes.js';
import { commandError } from './interpreter.js';
import type { EWhere, MenuCall, MenuCommand, MenuNode } from './menu-kit.js';
import type { Runtime } from './runtime.js';
import { exportQuote, menu, print } from './menu-kit.js';
import type { RouterState } from './state.js';
import { allocId } from './state.js';
import type { Value } from './ast.js';
import { NOTHING, arr, arrayEntries, bool, num, str, time, toNum, toStr, toTime, formatInterval } from './values.js';

export type FieldValue = string | number | boolean;
export type Entry = { id: string } & Record<string, FieldValue>;
export type FieldKind = 'str' | 'bool' | 'time' | 'num';

export interface FieldSpec {
  /** RouterOS property name, e.g. `on-event`. */
  readonly ros: string;
  /** Property of the state entry, e.g. `onEvent`. */
  readonly prop: string;
  readonly kind: FieldKind;
  readonly def: FieldValue;
  readonly required?: boolean;
  /** Shown by get/print but not settable (and not exported). */
  readonly readOnly?: boolean;
  /** The values it accepts (`invalid value for argument` otherwise). */
  readonly choices?: readonly string[];
  /** Computed on every read instead of stored (read-only). */
  readonly compute?: (e: Entry) => FieldValue;
  /** `get` refuses values longer than this many bytes (Files 2555971: contents up to 60KB). */
  readonly getLimit?: number;
}

/** A field's current value. */
export function valueOf(f: FieldSpec, e: Entry): FieldValue {
  return f.compute ? f.compute(e) : (e[f.prop] ?? f.def);
}

export type WriteAction = 'add' | 'set' | 'remove' | 'enable' | 'disable';

export interface TableSpec {
  /** Menu path as export writes it, e.g. `/ip address`. */
  readonly path: string;
  readonly list: (state: RouterState) => Entry[];
  readonly fields: readonly FieldSpec[];
  /** Property that names items uniquely (lets numbers= use names). */
  readonly nameProp?: string;
  /** No add/remove (e.g. interfaces, jobs). */
  readonly fixed?: boolean;
  /** Recomputes derived fields after add/set. */
  readonly derive?: (e: Entry) => void;
  /** Throws a message string when the entry is invalid. */
  readonly validate?: (state: RouterState, e: Entry, others: readonly Entry[]) => string | undefined;
  /** Extra commands (e.g. `run` for scripts). */
  readonly extra?: Record<string, MenuCommand>;
  /** Policies its changes need (default `write`; user management also needs `policy`, User 8978504). */
  readonly writePolicy?: readonly string[];
  /** Throws a ScriptError when the router refuses a change outright (device-mode, Device-mode 93749258). */
  readonly guard?: (c: MenuCall, action: WriteAction) => void;
  /** Fills fields the router sets itself when an item is added (owner, ...). */
  readonly onAdd?: (c: MenuCall, e: Entry) => void;
  readonly children?: Record<string, MenuNode>;
}

function fieldByRos(spec: TableSpec, c: MenuCall, ros: string): FieldSpec {
  const f = spec.fields.find((x) => x.ros === ros);
  if (!f) throw commandError(c.st, `unknown parameter ${ros}`);
  return f;
}

/** Converts a script value to a field value; null when it does not fit the kind. */
function convert(kind: FieldKind, v: Value): FieldValue | null {
  switch (kind) {
    case 'str':
      return fromBin(toStr(v));
    case 'bool': {
      if (v.t === 'bool') return v.v;
      const s = toStr(v);
      if (s === 'yes' || s === 'true') return true;
      if (s === 'no' || s === 'false') return false;
      return null;
    }
    case 'time':
      return toTime(v);
    case 'num':
      return toNum(v);
  }
}

function toValue(kind: FieldKind, x: FieldValue): Value {
  switch (kind) {
    case 'str':
      return str(toBin(String(x)));
    case 'bool':
      return bool(x === true);
    case 'time':
      return time(Number(x));
    case 'num':
      return num(Number(x));
  }
}

export function fieldText(f: FieldSpec, x: FieldValue): string {
  if (f.kind === 'bool') return x === true ? 'yes' : 'no';
  if (f.kind === 'time') return formatInterval(Number(x));
  return String(x);
}

function applyFields(spec: TableSpec, c: MenuCall, e: Entry, skip: ReadonlySet<string>): void {
  for (const [name, v] of c.named) {
    if (skip.has(name)) continue;
    const f = fieldByRos(spec, c, name);
    if (f.readOnly || f.compute) throw commandError(c.st, `unknown parameter ${name}`);
    const x = convert(f.kind, v);
    if (x === null || (f.choices && !f.choices.includes(String(x)))) throw commandError(c.st, `invalid value for argument ${name}`);
    e[f.prop] = x;
  }
}

function check(spec: TableSpec, c: MenuCall, e: Entry): void {
  const others = spec.list(c.rt.state).filter((x) => x.id !== e.id);
  const msg = spec.validate?.(c.rt.state, e, others);
  if (msg !== undefined) throw commandError(c.st, msg);
  if (spec.nameProp !== undefined && others.some((x) => x[spec.nameProp!] === e[spec.nameProp!])) {
    throw commandError(c.st, 'failure: item with such name already exists');
  }
}

/** Items referred to by `numbers`: ids (`*1`), print positions, names, arrays or comma lists of them. */
export function resolveItems(spec: TableSpec, c: MenuCall, v: Value | undefined): Entry[] {
  const list = spec.list(c.rt.state);
  if (v === undefined) throw commandError(c.st, 'missing value for numbers');
  const refs: Value[] = v.t === 'array' ? arrayEntries(v.v).map(([, x]) => x) : v.t === 'str' ? v.v.split(',').map((s) => str(s)) : [v];
  const out: Entry[] = [];
  for (const r of refs) {
    const s = fromBin(toStr(r));
    let e: Entry | undefined;
    if (r.t === 'id' || s.startsWith('*')) e = list.find((x) => x.id === s);
    else if (/^\d+$/.test(s)) e = list[Number(s)];
    else if (spec.nameProp !== undefined) e = list.find((x) => x[spec.nameProp!] === s);
    if (!e) throw commandError(c.st, 'no such item');
    if (!out.includes(e)) out.push(e);
  }
  return out;
}

function matches(spec: TableSpec, e: Entry, w: EWhere): boolean {
  switch (w.k) {
    case 'and':
      return matches(spec, e, w.l) && matches(spec, e, w.r);
    case 'or':
      return matches(spec, e, w.l) || matches(spec, e, w.r);
    case 'not':
      return !matches(spec, e, w.c);
    case 'field': {
      const f = spec.fields.find((x) => x.ros === w.field);
      const v = f && valueOf(f, e);
      return v !== undefined && v !== '' && v !== false && v !== 0;
    }
    case 'cmp': {
      const f = spec.fields.find((x) => x.ros === w.field);
      const actual = w.field === '.id' ? e.id : f ? valueOf(f, e) : undefined;
      if (actual === undefined) return w.op === '!=';
      const want = w.field === '.id' ? fromBin(toStr(w.value)) : convert(f!.kind, w.value);
      if (w.op === '~') return new RegExp(fromBin(toStr(w.value))).test(String(actual));
      if (want === null) return w.op === '!=';
      switch (w.op) {
        case '=':
          return actual === want;
        case '!=':
          return actual !== want;
        case '<':
          return actual < want;
        case '>':
          return actual > want;
        case '<=':
          return actual <= want;
        case '>=':
          return actual >= want;
      }
    }
  }
}

/** Items matching named `field=value` filters and a `where` condition. */
function filtered(spec: TableSpec, c: MenuCall, skip: ReadonlySet<string>): Entry[] {
  const conds: EWhere[] = [];
  for (const [name, value] of c.named) if (!skip.has(name)) conds.push({ k: 'cmp', field: name, op: '=', value });
  if (c.where) conds.push(c.where);
  for (const w of conds) if (w.k === 'cmp' && w.field !== '.id') fieldByRos(spec, c, w.field);
  return spec.list(c.rt.state).filter((e) => conds.every((w) => matches(spec, e, w)));
}

function record(spec: TableSpec, e: Entry): Value {
  const keys = new Map<string, Value>([['.id', { t: 'id', v: e.id }]]);
  for (const f of spec.fields) keys.set(f.ros, toValue(f.kind, valueOf(f, e)));
  return arr([], keys);
}

function describe(spec: TableSpec, e: Entry, i: number): string {
  const disabled = spec.fields.some((f) => f.prop === 'disabled') && e.disabled === true;
  const comment = typeof e.comment === 'string' && e.comment !== '' ? `;;; ${e.comment}\n      ` : '';
  const props = spec.fields
    .filter((f) => f.prop !== 'comment' && f.prop !== 'disabled')
    .map((f) => `${f.ros}=${exportQuote(fieldText(f, valueOf(f, e)), false)}`)
    .join(' ');
  return `${String(i).padStart(2)} ${disabled ? 'X' : ' '} ${comment}${props}\n`;
}

/** Export lines of a table: `add` with non-default settable properties, sorted by name. */
export function exportTable(spec: TableSpec, state: RouterState, v6: boolean): string {
  const list = spec.list(state);
  if (list.length === 0 || spec.fixed) return '';
  let out = `${spec.path}\n`;
  for (const e of list) {
    const props = spec.fields
      .filter((f) => !f.readOnly && !f.compute && e[f.prop] !== f.def)
      .sort((a, b) => (a.ros < b.ros ? -1 : 1))
      .map((f) => `${f.ros}=${exportQuote(fieldText(f, e[f.prop]!), v6)}`);
    out += `add ${props.join(' ')}\n`;
  }
  return out;
}

const NUMBERS: ReadonlySet<string> = new Set(['numbers']);
// print parameters (Scripting 47579229, "print parameters"); properties filter only after `where`.
const PRINT_FLAGS = ['append', 'as-value', 'brief', 'count-only', 'detail', 'follow', 'follow-only', 'terse', 'value-list', 'without-paging'];
const PRINT_PARAMS = ['file', 'from', 'interval', 'proplist', 'where', ...PRINT_FLAGS];
const EXPORT_FLAGS = (rt: Runtime): string[] => ['compact', 'terse', 'verbose', rt.v6 ? 'hide-sensitive' : 'show-sensitive'];
const READ = ['read'];

/** The settable properties of a table (what add and set take). */
function settable(spec: TableSpec): string[] {
  return spec.fields.filter((f) => !f.readOnly && !f.compute).map((f) => f.ros);
}

export function tableMenu(spec: TableSpec): MenuNode {
  const write = spec.writePolicy ?? ['write'];
  const fieldNames = spec.fields.map((f) => f.ros);
  const commands: Record<string, MenuCommand> = {
    get: {
      params: ['number', 'value-name'],
      positional: 2,
      policy: READ,
      run: (c) => {
        const [e] = resolveItems(spec, c, c.named.get('number') ?? c.pos[0]);
        const name = c.named.get('value-name') ?? c.pos[1];
        if (name === undefined) return record(spec, e!);
        const ros = fromBin(toStr(name));
        if (ros === '.id') return { t: 'id', v: e!.id };
        const f = spec.fields.find((x) => x.ros === ros);
        if (!f) throw commandError(c.st, 'input does not match any value of value-name');
        const v = valueOf(f, e!);
        if (f.getLimit !== undefined && Buffer.byteLength(String(v)) > f.getLimit) throw commandError(c.st, 'failure: file is too big');
        return toValue(f.kind, v);
      },
    },
    find: { params: ['where', '.id', ...fieldNames], policy: READ, run: (c) => arr(filtered(spec, c, NUMBERS).map((e): Value => ({ t: 'id', v: e.id }))) },
    print: {
      flags: PRINT_FLAGS,
      params: PRINT_PARAMS,
      policy: READ,
      run: (c) => {
        const items = filtered(spec, c, new Set(PRINT_PARAMS));
        if (c.flags.has('count-only')) {
          if (!c.inSub) print(c, `${String(items.length)}\n`);
          return num(items.length);
        }
        if (c.flags.has('as-value')) return arr(items.map((e) => record(spec, e)));
        print(c, items.map((e) => describe(spec, e, spec.list(c.rt.state).indexOf(e))).join(''));
        return NOTHING;
      },
    },
    set: {
      params: ['numbers', ...settable(spec)],
      positional: 1,
      policy: write,
      run: (c) => {
        spec.guard?.(c, 'set');
        for (const e of resolveItems(spec, c, c.named.get('numbers') ?? c.pos[0])) {
          const next: Entry = { ...e };
          applyFields(spec, c, next, NUMBERS);
          spec.derive?.(next);
          check(spec, c, next);
          Object.assign(e, next);
        }
        return NOTHING;
      },
    },
    export: {
      flags: EXPORT_FLAGS,
      params: (rt) => ['file', ...EXPORT_FLAGS(rt)],
      policy: READ,
      run: (c) => (print(c, exportTable(spec, c.rt.state, c.rt.v6)), NOTHING),
    },
  };
  if (spec.fields.some((f) => f.prop === 'disabled')) {
    for (const [name, value] of [['enable', false], ['disable', true]] as const) {
      commands[name] = {
        params: ['numbers'],
        positional: 1,
        policy: write,
        run: (c) => {
          spec.guard?.(c, name);
          for (const e of resolveItems(spec, c, c.named.get('numbers') ?? c.pos[0])) e.disabled = value;
          return NOTHING;
        },
      };
    }
  }
  if (!spec.fixed) {
    commands.add = {
      params: ['copy-from', 'place-before', ...settable(spec)],
      policy: write,
      run: (c) => {
        spec.guard?.(c, 'add');
        const e: Entry = { id: allocId(c.rt.state) };
        for (const f of spec.fields) e[f.prop] = f.def;
        spec.onAdd?.(c, e);
        applyFields(spec, c, e, new Set(['copy-from', 'place-before']));
        for (const f of spec.fields) {
          if (f.required && !c.named.has(f.ros)) throw commandError(c.st, `failure: ${f.ros} not set`);
        }
        spec.derive?.(e);
        check(spec, c, e);
        spec.list(c.rt.state).push(e);
        return { t: 'id', v: e.id };
      },
    };
    commands.remove = {
      params: ['numbers'],
      positional: 1,
      policy: write,
      run: (c) => {
        spec.guard?.(c, 'remove');
        const gone = new Set(resolveItems(spec, c, c.named.get('numbers') ?? c.pos[0]));
        const list = spec.list(c.rt.state);
        for (let i = list.length - 1; i >= 0; i--) if (gone.has(list[i]!)) list.splice(i, 1);
        return NOTHING;
      },
    };
  }
  return menu({ ...commands, ...spec.extra }, spec.children);
}
