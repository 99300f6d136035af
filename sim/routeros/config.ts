// The simulated config tree: /interface, /ip address, /system scheduler, /system script, /file.
import { toBin } from './bytes.js';
import { ControlSignal } from './errors.js';
import { execBody } from './interpreter.js';
import type { MenuCall, MenuNode } from './menu-kit.js';
import { formatDate, clockOf, secondsOfDay } from './menu-kit.js';
import { parseCached } from './parser.js';
import type { Runtime } from './runtime.js';
import { newScope } from './runtime.js';
import type { ScriptEntry } from './state.js';
import { allocId } from './state.js';
import type { Entry, TableSpec } from './tables.js';
import { resolveItems, tableMenu } from './tables.js';
import { NOTHING, formatTime } from './values.js';

const ALL_POLICIES = 'ftp,reboot,read,write,policy,test,password,sniff,sensitive,romon';
const IPV4_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/;

function ipNetwork(address: string): string | null {
  const m = IPV4_RE.exec(address);
  if (!m) return null;
  const octets = [m[1], m[2], m[3], m[4]].map(Number);
  const prefix = m[5] === undefined ? 32 : Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return null;
  const ip = ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const net = (ip & mask) >>> 0;
  return [net >>> 24, (net >>> 16) & 255, (net >>> 8) & 255, net & 255].join('.');
}

function autoName(e: Entry, others: readonly Entry[], base: string): void {
  if (e.name !== '') return;
  let n = 1;
  while (others.some((x) => x.name === `${base}${String(n)}`)) n++;
  e.name = `${base}${String(n)}`;
}

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
    if (IPV4_RE.test(a) && !a.includes('/')) e.address = `${a}/32`;
    e.network = ipNetwork(String(e.address)) ?? '';
  },
  validate: (state, e, others) => {
    if (e.network === '') return 'invalid value for argument address';
    if (!state.interfaces.some((i) => i.name === e.interface)) return 'input does not match any value of interface';
    if (others.some((o) => o.address === e.address && o.interface === e.interface)) return 'failure: already have such address';
    return undefined;
  },
};

export const INTERFACE: TableSpec = {
  path: '/interface',
  list: (s) => s.interfaces,
  fixed: true,
  nameProp: 'name',
  fields: [
    { ros: 'name', prop: 'name', kind: 'str', def: '' },
    { ros: 'type', prop: 'type', kind: 'str', def: '', readOnly: true },
    { ros: 'comment', prop: 'comment', kind: 'str', def: '' },
    { ros: 'disabled', prop: 'disabled', kind: 'bool', def: false },
  ],
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
    { ros: 'policy', prop: 'policy', kind: 'str', def: ALL_POLICIES },
    { ros: 'comment', prop: 'comment', kind: 'str', def: '' },
    { ros: 'disabled', prop: 'disabled', kind: 'bool', def: false },
    { ros: 'run-count', prop: 'runCount', kind: 'num', def: 0, readOnly: true },
  ],
  validate: (state, e, others) => {
    autoName(e, others, 'schedule');
    return undefined;
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
    { ros: 'started', prop: 'started', kind: 'str', def: '', readOnly: true },
  ],
};

/** Runs source as its own script (own scope, globals shared) with a /system script job entry. */
export async function runAsJob(rt: Runtime, source: string, scriptName: string): Promise<void> {
  const body = parseCached(toBin(source), rt.v6).body;
  const clock = clockOf(rt);
  const job = { id: allocId(rt.state), script: scriptName, type: 'script', owner: 'admin', started: `${formatDate(clock, rt.v6)} ${formatTime(secondsOfDay(clock))}` };
  rt.state.jobs.push(job);
  try {
    await execBody({ ...rt, jobName: scriptName }, { menu: [] }, newScope(null), body);
  } catch (e) {
    if (!(e instanceof ControlSignal && e.kind === 'return')) throw e;
  } finally {
    const i = rt.state.jobs.indexOf(job);
    if (i >= 0) rt.state.jobs.splice(i, 1);
  }
}

export const SCRIPT: TableSpec = {
  path: '/system script',
  list: (s) => s.scripts,
  nameProp: 'name',
  fields: [
    { ros: 'name', prop: 'name', kind: 'str', def: '' },
    { ros: 'owner', prop: 'owner', kind: 'str', def: 'admin' },
    { ros: 'policy', prop: 'policy', kind: 'str', def: ALL_POLICIES },
    { ros: 'dont-require-permissions', prop: 'dontRequirePermissions', kind: 'bool', def: false },
    { ros: 'source', prop: 'source', kind: 'str', def: '' },
    { ros: 'comment', prop: 'comment', kind: 'str', def: '' },
    { ros: 'run-count', prop: 'runCount', kind: 'num', def: 0, readOnly: true },
  ],
  validate: (state, e, others) => {
    autoName(e, others, 'script');
    return undefined;
  },
  extra: {
    run: {
      run: async (c: MenuCall) => {
        const [e] = resolveItems(SCRIPT, c, c.named.get('number') ?? c.pos[0]);
        const script = e as ScriptEntry;
        script.runCount++;
        await runAsJob(c.rt, script.source, script.name);
        return NOTHING;
      },
    },
  },
};

export const FILE: TableSpec = {
  path: '/file',
  list: (s) => s.files,
  nameProp: 'name',
  fields: [
    { ros: 'name', prop: 'name', kind: 'str', def: '', required: true },
    { ros: 'type', prop: 'type', kind: 'str', def: 'file', readOnly: true },
    { ros: 'contents', prop: 'contents', kind: 'str', def: '' },
  ],
};

export function configMenus(): { ip: MenuNode; iface: MenuNode; scheduler: MenuNode; script: MenuNode; file: MenuNode } {
  return {
    ip: tableMenu(IP_ADDRESS),
    iface: tableMenu(INTERFACE),
    scheduler: tableMenu(SCHEDULER),
    script: tableMenu({ ...SCRIPT, children: { job: tableMenu(JOBS) } }),
    file: tableMenu(FILE),
  };
}
