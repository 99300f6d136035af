// Generic list menus (/ip address, /system script, ...): add, remove, set, get, find, print, export.
import { fromBin } from './bytes.js';
import { notEnoughPermissions } from './errors.js';
import { commandError } from './interpreter.js';
import type { MenuCall, MenuCommand, MenuNode } from './menu-kit.js';
import { exportQuote, menu, print } from './menu-kit.js';
import type { Runtime } from './runtime.js';
import type { RouterState } from './state.js';
import { allocId } from './state.js';
import type { Value } from './ast.js';
import type { Entry, TableSpec } from './table-fields.js';
import { convert, fieldByRos, fieldText, record, toValue, valueOf } from './table-fields.js';
import { filtered, resolveItems } from './table-select.js';
import { NOTHING, arr, num, toStr } from './values.js';

export type { Entry, FieldSpec, FieldValue, TableSpec, WriteAction } from './table-fields.js';
export { resolveItems } from './table-select.js';

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
  const read = spec.readPolicy ?? READ;
  const fieldNames = spec.fields.map((f) => f.ros);
  const commands: Record<string, MenuCommand> = {
    get: {
      params: ['number', 'value-name'],
      positional: 2,
      policy: read,
      run: (c) => {
        const [e] = resolveItems(spec, c, c.named.get('number') ?? c.pos[0]);
        // `get [find …]` when nothing matched: an error a script can catch (the text is B).
        if (e === undefined) throw commandError(c.st, 'no such item');
        const name = c.named.get('value-name') ?? c.pos[1];
        if (name === undefined) return record(spec, e);
        const ros = fromBin(toStr(name));
        if (ros === '.id') return { t: 'id', v: e.id };
        const f = spec.fields.find((x) => x.ros === ros);
        if (!f) throw commandError(c.st, 'input does not match any value of value-name');
        const v = valueOf(f, e);
        if (f.getLimit !== undefined && Buffer.byteLength(String(v)) > f.getLimit) throw commandError(c.st, 'failure: file is too big');
        return toValue(f.kind, v);
      },
    },
    find: { params: ['where', '.id', ...fieldNames], policy: read, run: (c) => arr(filtered(spec, c, NUMBERS).map((e): Value => ({ t: 'id', v: e.id }))) },
    print: {
      flags: PRINT_FLAGS,
      params: PRINT_PARAMS,
      policy: read,
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
      policy: read,
      run: (c) => {
        if (c.flags.has('show-sensitive') && !c.rt.policy.has('sensitive')) throw notEnoughPermissions();
        print(c, exportTable(spec, c.rt.state, c.rt.v6));
        return NOTHING;
      },
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
        const list = spec.list(c.rt.state);
        const before = c.named.get('place-before');
        const at = before === undefined ? -1 : list.indexOf(resolveItems(spec, c, before)[0]!);
        list.splice(at < 0 ? list.length : at, 0, e);
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
