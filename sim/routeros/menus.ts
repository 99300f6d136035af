// The menu tree and resolution of command paths (`/ip address add`, `/ip/address/add`, relative
// `add`), shared by the run (runMenuCommand) and the compile-time check (check.ts).
import type { Arg, CmdStmt, Expr, Value, WhereCond } from './ast.js';
import { backupMenu } from './backup.js';
import { certificateMenu } from './certs.js';
import { configMenus } from './config.js';
import { deviceModeMenu } from './device-mode.js';
import { notEnoughPermissions } from './errors.js';
import { EXPORT } from './export.js';
import { FETCH } from './fetch.js';
import { IMPORT, fileMenu } from './files.js';
import { FIREWALL_FILTER } from './firewall.js';
import { commandError, evalExpr } from './interpreter.js';
import type { EWhere, MenuCommand, MenuNode } from './menu-kit.js';
import { listOf, menu } from './menu-kit.js';
import { ntpMenu } from './ntp.js';
import type { Frame, Runtime, Scope } from './runtime.js';
import { REBOOT, systemMenus } from './system.js';
import { tableMenu } from './tables.js';
import { USER, USER_GROUP } from './users.js';
import { NOTHING, str } from './values.js';
import { has } from './version.js';

let rootMenu: MenuNode | undefined;

/** Built on first use. */
export function root(): MenuNode {
  if (rootMenu) return rootMenu;
  const cfg = configMenus();
  const sys = systemMenus();
  rootMenu = menu(
    { export: EXPORT, import: IMPORT },
    {
      interface: cfg.iface,
      ip: menu({}, { address: cfg.ip, firewall: menu({}, { filter: tableMenu(FIREWALL_FILTER) }) }),
      system: menu(
        { reboot: REBOOT },
        {
          ...sys.system,
          scheduler: cfg.scheduler,
          script: cfg.script,
          backup: backupMenu(),
          ntp: menu({}, { client: ntpMenu() }),
          'device-mode': deviceModeMenu(),
        },
      ),
      tool: menu({ fetch: FETCH }),
      log: sys.log,
      file: fileMenu(),
      certificate: certificateMenu(),
      user: tableMenu({ ...USER, children: { group: tableMenu(USER_GROUP) } }),
    },
  );
  return rootMenu;
}

function nodeAt(rt: Runtime, path: readonly string[]): MenuNode {
  let node = root();
  for (const p of path) {
    const next = node.children.get(p);
    if (next && (!next.available || next.available(rt))) node = next;
  }
  return node;
}

export type Resolved =
  /** A path alone: it becomes the current menu. */
  | { readonly k: 'menu'; readonly path: string[]; readonly argStart: number }
  | { readonly k: 'cmd'; readonly path: string[]; readonly cmd: MenuCommand; readonly argStart: number; readonly leftover: string[] }
  /** A `:` command written without the colon (`put "x"`), in any menu. */
  | { readonly k: 'global'; readonly name: string }
  | { readonly k: 'bad'; readonly word: string };

/** Resolves a path statement against the menu tree as this router has it. */
export function resolve(rt: Runtime, current: readonly string[], st: CmdStmt): Resolved {
  if (st.head.k !== 'path') return { k: 'bad', word: '' };
  const head = st.head;
  const path: string[] = head.abs ? [] : [...current];
  let node = head.abs ? root() : nodeAt(rt, path);
  const words = [...head.segs];
  let argStart = 0;
  while (argStart < st.args.length) {
    const a = st.args[argStart]!;
    if (a.name !== undefined || a.value.k !== 'word') break;
    words.push(a.value.w);
    argStart++;
  }
  let used = 0;
  for (const w of words) {
    if (w === '..') {
      path.pop();
      node = nodeAt(rt, path);
      used++;
      continue;
    }
    const child = node.children.get(w);
    if (child && (!child.available || child.available(rt))) {
      node = child;
      path.push(w);
      used++;
      continue;
    }
    const cmd = node.commands.get(w);
    if (cmd && (cmd.feature === undefined || has(rt.version, cmd.feature))) {
      used++;
      const leftover = words.slice(used);
      return { k: 'cmd', path, cmd, argStart, leftover };
    }
    if (used === 0 && !head.abs && head.segs.length === 1) return { k: 'global', name: w };
    return { k: 'bad', word: w };
  }
  return { k: 'menu', path, argStart };
}

async function evalWhere(rt: Runtime, frame: Frame, scope: Scope, w: WhereCond): Promise<EWhere> {
  switch (w.k) {
    case 'and':
    case 'or':
      return { k: w.k, l: await evalWhere(rt, frame, scope, w.l), r: await evalWhere(rt, frame, scope, w.r) };
    case 'not':
      return { k: 'not', c: await evalWhere(rt, frame, scope, w.c) };
    case 'field':
      return w;
    case 'cmp':
      return { k: 'cmp', field: w.field, op: w.op, value: await evalExpr(rt, frame, scope, w.value) };
  }
}

/** Menu command arguments keep bare words as strings (the command decides their type). */
function evalRaw(rt: Runtime, frame: Frame, scope: Scope, e: Expr): Promise<Value> {
  return e.k === 'word' ? Promise.resolve(str(e.w)) : evalExpr(rt, frame, scope, e);
}

export async function runMenuCommand(rt: Runtime, frame: Frame, scope: Scope, st: CmdStmt, inSub: boolean): Promise<Value> {
  const r = resolve(rt, frame.menu, st);
  if (r.k === 'bad') throw commandError(st, `bad command name ${r.word}`);
  if (r.k === 'global') {
    const g = rt.vm.global(rt, r.name);
    if (!g) throw commandError(st, `bad command name ${r.name}`);
    return g({ rt, frame, scope, st, inSub });
  }
  const rest: readonly Arg[] = st.args.slice(r.argStart);
  if (r.k === 'menu') {
    if (rest.length > 0) throw commandError(st, 'expected command name');
    frame.menu = r.path;
    return NOTHING;
  }
  const { cmd } = r;
  for (const p of cmd.policy ?? []) if (!rt.policy.has(p)) throw notEnoughPermissions();
  const cmdFrame: Frame = { menu: r.path };
  const flagList = listOf(cmd.flags, rt);
  const pos: Value[] = [];
  const named = new Map<string, Value>();
  const flags = new Set<string>();
  let where: EWhere | undefined;
  for (const w of r.leftover) {
    if (flagList.includes(w)) flags.add(w);
    else pos.push(str(w));
  }
  for (const a of rest) {
    if (a.value.k === 'where') where = await evalWhere(rt, cmdFrame, scope, a.value.cond);
    else if (a.name !== undefined) named.set(a.name, await evalRaw(rt, cmdFrame, scope, a.value));
    else if (a.value.k === 'word' && flagList.includes(a.value.w)) flags.add(a.value.w);
    else pos.push(await evalRaw(rt, cmdFrame, scope, a.value));
  }
  return cmd.run({ rt, frame: cmdFrame, scope, st, pos, named, flags, where, inSub });
}
