// The simulated router: identity, resources, a small config tree and script globals.
import type { Value } from './values.js';

export type IpAddressEntry = { id: string; address: string; network: string; interface: string; comment: string; disabled: boolean };
export type InterfaceEntry = { id: string; name: string; type: string; comment: string; disabled: boolean };
export type SchedulerEntry = {
  id: string;
  name: string;
  startDate: string;
  startTime: string;
  /** Seconds; 0 runs once. */
  interval: number;
  onEvent: string;
  policy: string;
  comment: string;
  disabled: boolean;
  runCount: number;
};
export type ScriptEntry = {
  id: string;
  name: string;
  owner: string;
  policy: string;
  dontRequirePermissions: boolean;
  source: string;
  comment: string;
  runCount: number;
};
export type FileEntry = { id: string; name: string; type: string; contents: string };
/** A running script (`/system script job`). */
export type JobEntry = { id: string; script: string; type: string; owner: string; started: string };

export interface ResourceInfo {
  cpuLoad: number;
  freeMemory: number;
  totalMemory: number;
  freeHddSpace: number;
  totalHddSpace: number;
  boardName: string;
  architectureName: string;
  cpu: string;
  cpuCount: number;
  platform: string;
  buildTime: string;
  factorySoftware: string;
}

export interface LogEntry {
  topic: string;
  message: string;
}

export interface RouterState {
  identity: string;
  /** As `/system resource get version` shows it, e.g. `7.16.2 (stable)`. */
  version: string;
  /** Uptime when no clock is available (see bootedAtMs). */
  uptimeSeconds: number;
  /** Host time (ms) of the last boot; with Host.now, uptime = now - bootedAtMs. */
  bootedAtMs?: number;
  resource: ResourceInfo;
  /** `/system routerboard` record; null on CHR/x86, where scripts get "bad command name". */
  routerboard: Record<string, string> | null;
  license: Record<string, string | number>;
  interfaces: InterfaceEntry[];
  ipAddresses: IpAddressEntry[];
  schedulers: SchedulerEntry[];
  scripts: ScriptEntry[];
  files: FileEntry[];
  /** Running scripts, maintained by the interpreter. */
  jobs: JobEntry[];
  /** Next internal id (`*1`, `*2`, ... in hex). */
  nextId: number;
  /** Script globals; shared by every run on this router, lost on reboot. Strings are UTF-8 byte strings (use toJs/fromJs). */
  globals: Map<string, Value>;
  /** Script log (`:log`, `/log`), oldest first, capped at LOG_LIMIT like the memory log. */
  log: LogEntry[];
  rebooted?: boolean;
}

export interface FetchRequest {
  url: string;
  /** Upper case: GET, POST, PUT, ... */
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** `check-certificate=` as given (`no` when absent). */
  checkCertificate?: string;
}

export interface Host {
  fetch(req: FetchRequest): Promise<{ status: number; body: string }>;
  sleep(ms: number): Promise<void>;
  /** Milliseconds; drives uptime (with bootedAtMs) and /system clock. */
  now?(): number;
}

export const LOG_LIMIT = 1000;

export type RouterStateInit = Partial<Omit<RouterState, 'resource'>> & { resource?: Partial<ResourceInfo> };

const DEFAULT_INTERFACES = ['ether1', 'ether2', 'ether3', 'ether4', 'ether5', 'bridge', 'lo'];

/** A fresh router (RouterOS 7.16.2 on an RB4011 unless overridden). */
export function createRouterState(init: RouterStateInit = {}): RouterState {
  const { resource, ...rest } = init;
  let nextId = 1;
  const interfaces: InterfaceEntry[] = DEFAULT_INTERFACES.map((name) => ({
    id: `*${(nextId++).toString(16).toUpperCase()}`,
    name,
    type: name.startsWith('ether') ? 'ether' : name === 'lo' ? 'loopback' : 'bridge',
    comment: '',
    disabled: false,
  }));
  return {
    identity: 'MikroTik',
    version: '7.16.2 (stable)',
    uptimeSeconds: 3600,
    routerboard: {
      routerboard: 'yes',
      model: 'RB4011iGS+',
      'serial-number': 'D4440C1FE42A',
      'firmware-type': 'al2',
      'factory-firmware': '6.45.9',
      'current-firmware': '7.16.2',
      'upgrade-firmware': '7.16.2',
    },
    license: { 'software-id': 'R98Z-YE17', nlevel: 5, features: '' },
    interfaces,
    ipAddresses: [],
    schedulers: [],
    scripts: [],
    files: [],
    jobs: [],
    nextId,
    globals: new Map(),
    log: [],
    ...rest,
    resource: {
      cpuLoad: 3,
      freeMemory: 864948224,
      totalMemory: 1073741824,
      freeHddSpace: 400000000,
      totalHddSpace: 536870912,
      boardName: 'RB4011iGS+',
      architectureName: 'arm',
      cpu: 'ARMv7',
      cpuCount: 4,
      platform: 'MikroTik',
      buildTime: '2024-12-10 10:40:00',
      factorySoftware: '6.45.9',
      ...resource,
    },
  };
}

export function allocId(state: RouterState): string {
  return `*${(state.nextId++).toString(16).toUpperCase()}`;
}

export function pushLog(state: RouterState, topic: string, message: string): void {
  state.log.push({ topic, message });
  if (state.log.length > LOG_LIMIT + 100) state.log.splice(0, state.log.length - LOG_LIMIT);
}
