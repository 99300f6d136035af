// Which items a command means: `numbers` references, `find` filters and `where` conditions.
import type { Value } from './ast.js';
import { fromBin } from './bytes.js';
import { commandError } from './interpreter.js';
import type { EWhere, MenuCall } from './menu-kit.js';
import type { Entry, TableSpec } from './table-fields.js';
import { convert, fieldByRos, valueOf } from './table-fields.js';
import { arrayEntries, str, toStr } from './values.js';

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
export function filtered(spec: TableSpec, c: MenuCall, skip: ReadonlySet<string>): Entry[] {
  const conds: EWhere[] = [];
  for (const [name, value] of c.named) if (!skip.has(name)) conds.push({ k: 'cmp', field: name, op: '=', value });
  if (c.where) conds.push(c.where);
  for (const w of conds) if (w.k === 'cmp' && w.field !== '.id') fieldByRos(spec, c, w.field);
  return spec.list(c.rt.state).filter((e) => conds.every((w) => matches(spec, e, w)));
}
