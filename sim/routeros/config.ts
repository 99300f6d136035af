// The simulated config tree: /interface, /ip address, /system scheduler, /system script and its jobs.
import { refuseIfFlagged, requireFeature } from './device-mode.js';
import { notEnoughPermissions } from './errors.js';
import { runJob } from './jobs.js';
import type { MenuCall, MenuNode } from './menu-kit.js';
import { dottedQuad, ipv4 } from './net.js';
import { DEFAULT_SCRIPT_POLICY, SCRIPT_POLICIES, isSubset, parsePolicy } from './policy.js';
import type { ScriptEntry } from './state-types.js';
import type { Entry, TableSpec } from './tables.js';
import { resolveItems, tableMenu } from './tables.js';
import { toBin } from './bytes.js';
import { NOTHING } from './values.js';

const SCRIPT_POLICY_SET: ReadonlySet<string> = new Set(SCRIPT_POLICIES);

function autoName(e: Entry, others: readonly Entry[], base: string): void {
  if (e.name !== '') return;
  let n = 1;
  while (others.some((x) => x.name === `${base}${String(n)}`)) n++;
  e.name = `${base}${String(n)}`;
}

const validPolicy = (e: Entry): string | undefined =>
  parsePolicy(String(e.policy), SCRIPT_POLICY_SET) === null ? 'invalid value for argument policy' : undefined;

const owned = (c: MenuCall, e: Entry): void => {
  e.owner = c.rt.user;
};

export const IP_ADDRESS: TableSpec = {
  path: '/ip address',
  list: (s) => s.ipAddresses,
  fields: [
    { ros: 'address', prop: 'address', kind: 'str', def: '', required: true },
    { ros: 'network', prop: 'network', kind: 'str', def: '', readOnly: true },
    { ros: 'interface', prop: 'interface', kind: 'str', def: '', required: true },
    { ros: 'comment', prop: 'comment', kind: 'str', def: '' },
    { ros: 'disabled', prop: 'disabled', kind: 'bool', def: false },
  ],
  derive: (e) => {
    const a = String(e.address);
    const ip = ipv4(a);
    if (ip && !a.includes('/')) e.address = `${a}/32`;
    e.network = ip ? dottedQuad(ip[0]) : '';
  },
  validate: (state, e, others) => {
    if (e.network === '') return 'invalid value for argument address';
    if (!state.interfaces.some((i) => i.name === e.interface)) return 'input does not match any value of interface';
    if (others.some((o) => o.address === e.address && o.interface === e.interface)) return 'failure: already have such address';
    return undefined;
  },
};

const INTERFACE_FIELDS: TableSpec['fields'] = [
  { ros: 'name', prop: 'name', kind: 'str', def: '' },
  { ros: 'type', prop: 'type', kind: 'str', def: '', readOnly: true },
  { ros: 'comment', prop: 'comment', kind: 'str', def: '' },
  { ros: 'disabled', prop: 'disabled', kind: 'bool', def: false },
];

export const INTERFACE: TableSpec = { path: '/interface', list: (s) => s.interfaces, fixed: true, nameProp: 'name', fields: INTERFACE_FIELDS };

/** `/interface ethernet`: the same interfaces, ethernet ones only (Fetch 8978514 disables one this way). */
const ETHERNET: TableSpec = {
  path: '/interface ethernet',
  list: (s) => s.interfaces.filter((i) => i.type === 'ether'),
  fixed: true,
  nameProp: 'name',
  fields: INTERFACE_FIELDS,
};

export const SCHEDULER: TableSpec = {
  path: '/system scheduler',
  list: (s) => s.schedulers,
  nameProp: 'name',
  fields: [
    { ros: 'name', prop: 'name', kind: 'str', def: '' },
    { ros: 'start-date', prop: 'startDate', kind: 'str', def: '' },
    { ros: 'start-time', prop: 'startTime', kind: 'str', def: '' },
    { ros: 'interval', prop: 'interval', kind: 'time', def: 0 },
    { ros: 'on-event', prop: 'onEvent', kind: 'str', def: '' },
    { ros: 'owner', prop: 'owner', kind: 'str', def: 'admin', readOnly: true },
    { ros: 'policy', prop: 'policy', kind: 'str', def: DEFAULT_SCRIPT_POLICY },
    { ros: 'comment', prop: 'comment', kind: 'str', def: '' },
    { ros: 'disabled', prop: 'disabled', kind: 'bool', def: false },
    { ros: 'run-count', prop: 'runCount', kind: 'num', def: 0, readOnly: true },
  ],
  onAdd: (c, e) => {
    owned(c, e);
    e.anchorMs = c.rt.host.now?.() ?? 0;
  },
  validate: (_state, e, others) => {
    autoName(e, others, 'schedule');
    const t = String(e.startTime);
    if (t !== '' && t !== 'startup' && !/^\d{1,2}:\d\d(:\d\d)?$/.test(t)) return 'invalid value for argument start-time';
    return validPolicy(e);
  },
  // "scheduler won't allow to perform any action at system scheduler" (Device-mode 93749258).
  guard: (c, action) => {
    requireFeature(c, 'scheduler');
    if (action === 'add' || action === 'enable') refuseIfFlagged(c);
  },
};

export const JOBS: TableSpec = {
  path: '/system script job',
  list: (s) => s.jobs,
  fixed: true,
  fields: [
    { ros: 'script', prop: 'script', kind: 'str', def: '', readOnly: true },
    { ros: 'type', prop: 'type', kind: 'str', def: 'script', readOnly: true },
    { ros: 'owner', prop: 'owner', kind: 'str', def: 'admin', readOnly: true },
    { ros: 'policy', prop: 'policy', kind: 'str', def: '', readOnly: true },
    { ros: 'started', prop: 'started', kind: 'str', def: '', readOnly: true },
  ],
};

/**
 * `/system script run`: the caller needs every policy of the script unless the script has
 * dont-require-permissions=yes ("Only scripts ... with equal or higher permission rights can
 * execute other scripts"; "Bypass permissions check", Scripting 47579229). It runs with the
 * script's own policies.
 */
async function runScriptEntry(c: MenuCall): Promise<typeof NOTHING> {
  const [e] = resolveItems(SCRIPT, c, c.named.get('number') ?? c.pos[0]);
  const script = e as ScriptEntry;
  const policy = parsePolicy(script.policy) ?? new Set<string>();
  if (!script.dontRequirePermissions && !isSubset(policy, c.rt.policy)) throw notEnoughPermissions();
  const body = c.rt.vm.compile(c.rt, toBin(script.source)).body;
  script.runCount++;
  await runJob({ ...c.rt, policy }, body, script.name);
  return NOTHING;
}

export const SCRIPT: TableSpec = {
  path: '/system script',
  list: (s) => s.scripts,
  nameProp: 'name',
  fields: [
    { ros: 'name', prop: 'name', kind: 'str', def: '' },
    { ros: 'owner', prop: 'owner', kind: 'str', def: 'admin', readOnly: true },
    { ros: 'policy', prop: 'policy', kind: 'str', def: DEFAULT_SCRIPT_POLICY },
    { ros: 'dont-require-permissions', prop: 'dontRequirePermissions', kind: 'bool', def: false },
    { ros: 'source', prop: 'source', kind: 'str', def: '' },
    { ros: 'comment', prop: 'comment', kind: 'str', def: '' },
    { ros: 'run-count', prop: 'runCount', kind: 'num', def: 0, readOnly: true },
  ],
  onAdd: owned,
  validate: (_state, e, others) => {
    autoName(e, others, 'script');
    return validPolicy(e);
  },
  extra: {
    run: { params: ['number', 'use-script-permissions'], flags: ['use-script-permissions'], positional: 1, run: runScriptEntry },
  },
};

export function configMenus(): { ip: MenuNode; iface: MenuNode; scheduler: MenuNode; script: MenuNode } {
  return {
    ip: tableMenu(IP_ADDRESS),
    iface: tableMenu({ ...INTERFACE, children: { ethernet: tableMenu(ETHERNET) } }),
    scheduler: tableMenu(SCHEDULER),
    script: tableMenu({ ...SCRIPT, children: { job: tableMenu(JOBS) } }),
  };
}

