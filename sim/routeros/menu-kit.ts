// Types and helpers shared by the menu implementations (no imports of menus.ts, to keep module cycles harmless).
import type { WhereCond } from './ast.js';
import { toBin } from './bytes.js';
import type { CmdStmt } from './interpreter.js';
import type { Frame, Runtime, Scope } from './runtime.js';
import type { FileEntry, RouterState } from './state.js';
import { allocId } from './state.js';
import type { Value } from './values.js';

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
  readonly flags?: readonly string[];
  readonly run: (c: MenuCall) => Promise<Value> | Value;
}

export interface MenuNode {
  readonly children: ReadonlyMap<string, MenuNode>;
  readonly commands: ReadonlyMap<string, MenuCommand>;
  /** Absent menus (e.g. /system routerboard on CHR) give "bad command name". */
  readonly available?: (state: RouterState) => boolean;
}

export function menu(
  commands: Record<string, MenuCommand>,
  children: Record<string, MenuNode> = {},
  available?: (state: RouterState) => boolean,
): MenuNode {
  return { commands: new Map(Object.entries(commands)), children: new Map(Object.entries(children)), available };
}

/** Appends output text (JS text, encoded to bytes) to the run's sink. */
export function print(c: MenuCall, text: string): void {
  c.rt.sink.text += toBin(text);
}

export function uptimeOf(rt: Runtime): number {
  const now = rt.host.now?.();
  if (now !== undefined && rt.state.bootedAtMs !== undefined) return Math.max(0, Math.floor((now - rt.state.bootedAtMs) / 1000));
  return rt.state.uptimeSeconds;
}

const DEFAULT_EPOCH = Date.UTC(2025, 0, 1);

/** Wall clock in ms: Host.now, else a fixed date plus uptime (deterministic without a clock). */
export function clockOf(rt: Runtime): number {
  return rt.host.now?.() ?? DEFAULT_EPOCH + uptimeOf(rt) * 1000;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const p2 = (n: number): string => String(n).padStart(2, '0');

/** `2025-01-01` (v7.10+) or `jan/01/2025` (v6). */
export function formatDate(ms: number, v6: boolean): string {
  const d = new Date(ms);
  if (v6) return `${MONTHS[d.getUTCMonth()]!}/${p2(d.getUTCDate())}/${String(d.getUTCFullYear())}`;
  return `${String(d.getUTCFullYear())}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}`;
}

export function secondsOfDay(ms: number): number {
  return Math.floor((ms % 86400000) / 1000);
}

/** Creates or replaces a file. */
export function putFile(state: RouterState, name: string, contents: string): FileEntry {
  const existing = state.files.find((f) => f.name === name);
  if (existing) {
    existing.contents = contents;
    return existing;
  }
  const type = name.endsWith('.rsc') ? 'script' : name.endsWith('.txt') ? '.txt file' : 'file';
  const entry: FileEntry = { id: allocId(state), name, type, contents };
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
