// Types and helpers shared by the menu implementations.
import type { CmdStmt, Value, WhereCond } from './ast.js';
import { toBin } from './bytes.js';
import { clockMs, formatDate, secondsOfDay } from './clock.js';
import type { Frame, Runtime, Scope } from './runtime.js';
import type { FileEntry } from './state-types.js';
import type { RouterState } from './state.js';
import { allocId } from './state.js';
import { formatTime } from './values.js';
import type { Feature } from './version.js';
import { has } from './version.js';

/** A where condition with its values already evaluated. */
export type EWhere =
  | { readonly k: 'and' | 'or'; readonly l: EWhere; readonly r: EWhere }
  | { readonly k: 'not'; readonly c: EWhere }
  | { readonly k: 'field'; readonly field: string }
  | { readonly k: 'cmp'; readonly field: string; readonly op: Extract<WhereCond, { k: 'cmp' }>['op']; readonly value: Value };

export interface MenuCall {
  readonly rt: Runtime;
  readonly frame: Frame;
  readonly scope: Scope;
  readonly st: CmdStmt;
  /** Positional arguments (bare words stay strings; flags removed). */
  readonly pos: readonly Value[];
  readonly named: ReadonlyMap<string, Value>;
  readonly flags: ReadonlySet<string>;
  readonly where?: EWhere;
  readonly inSub: boolean;
}

export interface MenuCommand {
  /** Bare words that are flags for this command (`as-value`, `count-only`, ...). */
  readonly flags?: readonly string[] | ((rt: Runtime) => readonly string[]);
  /** Named parameters it takes (`where` included where it filters); anything else fails when the script is compiled. */
  readonly params: readonly string[] | ((rt: Runtime) => readonly string[]);
  /** How many unnamed parameters it takes (default 0). */
  readonly positional?: number;
  /** Policies the running script needs for it (User 8978504). */
  readonly policy?: readonly string[];
  /** The version feature it needs (version.ts); older routers answer `bad command name`. */
  readonly feature?: Feature;
  readonly run: (c: MenuCall) => Promise<Value> | Value;
}

export interface MenuNode {
  readonly children: ReadonlyMap<string, MenuNode>;
  readonly commands: ReadonlyMap<string, MenuCommand>;
  /** Absent menus (e.g. /system routerboard on CHR, device-mode on v6) give "bad command name". */
  readonly available?: (rt: Runtime) => boolean;
}

export function menu(
  commands: Record<string, MenuCommand>,
  children: Record<string, MenuNode> = {},
  available?: (rt: Runtime) => boolean,
): MenuNode {
  return { commands: new Map(Object.entries(commands)), children: new Map(Object.entries(children)), available };
}

export function listOf(x: readonly string[] | ((rt: Runtime) => readonly string[]) | undefined, rt: Runtime): readonly string[] {
  if (x === undefined) return [];
  return typeof x === 'function' ? x(rt) : x;
}

/** Appends output text (JS text, encoded to bytes) to the run's sink. */
export function print(c: MenuCall, text: string): void {
  c.rt.sink.text += toBin(text);
}

/** The router's clock in ms (clock.ts). */
export function clockOf(rt: Runtime): number {
  return clockMs(rt.state, rt.host, rt.v6);
}

/** `<date> <time>` as the router shows it now. */
export function stamp(rt: Runtime): string {
  const ms = clockOf(rt);
  return `${formatDate(ms, has(rt.version, 'iso-date'))} ${formatTime(secondsOfDay(ms))}`;
}

/** Creates or replaces a file. */
export function putFile(state: RouterState, name: string, contents: string, type?: string): FileEntry {
  const existing = state.files.find((f) => f.name === name);
  if (existing) {
    existing.contents = contents;
    delete existing.snapshot;
    return existing;
  }
  const t = type ?? (name.endsWith('.rsc') ? 'script' : name.endsWith('.txt') ? '.txt file' : 'file');
  const entry: FileEntry = { id: allocId(state), name, type: t, contents };
  state.files.push(entry);
  return entry;
}

const BARE_RE = /^[A-Za-z0-9._:/@,+*-]+$/;

/** A value as export writes it: bare when safe, else a quoted literal with RouterOS exporter escapes. */
export function exportQuote(text: string, v6: boolean): string {
  if (BARE_RE.test(text)) return text;
  const bytes = toBin(text);
  let out = '"';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes.charCodeAt(i);
    const ch = bytes.charAt(i);
    if (ch === '\\' || ch === '"' || ch === '$') out += `\\${ch}`;
    else if (ch === '?') out += v6 ? '\\?' : '?';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b === 0x09) out += '\\t';
    else if (b < 0x20 || b >= 0x7f) out += `\\${b.toString(16).toUpperCase().padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}
