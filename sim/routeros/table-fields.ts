// Table specifications and the conversion between field values and script values.
import type { Value } from './ast.js';
import { fromBin, toBin } from './bytes.js';
import { commandError } from './interpreter.js';
import type { MenuCall, MenuCommand, MenuNode } from './menu-kit.js';
import type { RouterState } from './state.js';
import { arr, bool, num, str, time, toNum, toStr, toTime, formatInterval } from './values.js';

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
  /** Policies reading it needs (default `read`). */
  readonly readPolicy?: readonly string[];
  /** Throws a ScriptError when the router refuses a change outright (device-mode, Device-mode 93749258). */
  readonly guard?: (c: MenuCall, action: WriteAction) => void;
  /** Fills fields the router sets itself when an item is added (owner, ...). */
  readonly onAdd?: (c: MenuCall, e: Entry) => void;
  readonly children?: Record<string, MenuNode>;
}

export function fieldByRos(spec: TableSpec, c: MenuCall, ros: string): FieldSpec {
  const f = spec.fields.find((x) => x.ros === ros);
  if (!f) throw commandError(c.st, `unknown parameter ${ros}`);
  return f;
}

/** Converts a script value to a field value; null when it does not fit the kind. */
export function convert(kind: FieldKind, v: Value): FieldValue | null {
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

export function toValue(kind: FieldKind, x: FieldValue): Value {
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

export function record(spec: TableSpec, e: Entry): Value {
  const keys = new Map<string, Value>([['.id', { t: 'id', v: e.id }]]);
  for (const f of spec.fields) keys.set(f.ros, toValue(f.kind, valueOf(f, e)));
  return arr([], keys);
}
