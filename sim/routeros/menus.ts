// The menu tree and resolution of command paths (`/ip address add`, `/ip/address/add`, relative `add`).
import type { Expr } from './ast.js';
import { GLOBALS } from './builtins.js';
import { configMenus } from './config.js';
import { EXPORT } from './export.js';
import { FETCH } from './fetch.js';
import type { CmdStmt } from './interpreter.js';
import { commandError, evalExpr } from './interpreter.js';
import type { EWhere, MenuCommand, MenuNode } from './menu-kit.js';
import { menu } from './menu-kit.js';
import type { Frame, Runtime, Scope } from './runtime.js';
import { systemMenus } from './system.js';
import type { WhereCond } from './ast.js';
import type { Value } from './values.js';
import { NOTHING, str } from './values.js';

let rootMenu: MenuNode | undefined;

/** Built on first use so module cycles never see half-initialised menus. */
function root(): MenuNode {
  if (rootMenu) return rootMenu;
  const cfg = configMenus();
  const sys = systemMenus();
  const scriptNode = cfg.script;
  rootMenu = menu(
    { export: EXPORT },
    {
      interface: cfg.iface,
      ip: menu({}, { address: cfg.ip }),
      system: menu({ reboot: sys.reboot }, { ...sys.system, scheduler: cfg.scheduler, script: scriptNode }),
      tool: menu({ fetch: FETCH }),
      log: sys.log,
      file: cfg.file,
    },
  );
  return rootMenu;
}

function nodeAt(path: readonly string[]): MenuNode {
  let node = root();
  for (const p of path) node = node.children.get(p) ?? node;
  return node;
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
  if (st.head.k !== 'path') return NOTHING;
  const head = st.head;
  const path: string[] = head.abs ? [] : [...frame.menu];
  let node = head.abs ? root() : nodeAt(path);
  const words = [...head.segs];
  let argStart = 0;
  while (argStart < st.args.length) {
    const a = st.args[argStart]!;
    if (a.name !== undefined || a.value.k !== 'word') break;
    words.push(a.value.w);
    argStart++;
  }
  let cmd: MenuCommand | undefined;
  let used = 0;
  for (const w of words) {
    if (w === '..') {
      path.pop();
      node = nodeAt(path);
      used++;
      continue;
    }
    const child = node.children.get(w);
    if (child && (!child.available || child.available(rt.state))) {
      node = child;
      path.push(w);
      used++;
      continue;
    }
    cmd = node.commands.get(w);
    if (cmd) {
      used++;
      break;
    }
    // Global commands also work without the colon (`put "x"`), in any menu.
    const global = used === 0 && !head.abs ? GLOBALS.get(w) : undefined;
    if (global && head.segs.length === 1) return global({ rt, frame, scope, st, inSub });
    throw commandError(st, `bad command name ${w}`);
  }
  const rest = st.args.slice(argStart);
  const leftover = words.slice(used);
  if (!cmd) {
    if (rest.length > 0) throw commandError(st, 'expected command name');
    frame.menu = path;
    return NOTHING;
  }
  const cmdFrame: Frame = { menu: path };
  const pos: Value[] = [];
  const named = new Map<string, Value>();
  const flags = new Set<string>();
  let where: EWhere | undefined;
  for (const w of leftover) {
    if (cmd.flags?.includes(w)) flags.add(w);
    else pos.push(str(w));
  }
  for (const a of rest) {
    if (a.value.k === 'where') where = await evalWhere(rt, cmdFrame, scope, a.value.cond);
    else if (a.name !== undefined) named.set(a.name, await evalRaw(rt, cmdFrame, scope, a.value));
    else if (a.value.k === 'word' && cmd.flags?.includes(a.value.w)) flags.add(a.value.w);
    else pos.push(await evalRaw(rt, cmdFrame, scope, a.value));
  }
  return cmd.run({ rt, frame: cmdFrame, scope, st, pos, named, flags, where, inSub });
}
