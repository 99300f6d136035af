// The simulated router: identity, resources, a small config tree and script globals.
import type { Value } from './ast.js';
import type {
  CertificateEntry,
  CertificateSettings,
  DeviceMode,
  FileEntry,
  FirewallEntry,
  GroupEntry,
  InterfaceEntry,
  IpAddressEntry,
  JobEntry,
  LogEntry,
  NtpClient,
  ResourceInfo,
  SchedulerEntry,
  ScriptEntry,
  UserEntry,
} from './state-types.js';

export type * from './state-types.js';

export interface RouterState {
  identity: string;
  /** The identity's bytes when they are not valid UTF-8 (one JS char per byte); `identity` is then lossy. */
  identityBytes?: string;
  /** As `/system resource get version` shows it, e.g. `7.16.2 (stable)`. */
  version: string;
  /** Uptime when no clock is available (see bootedAtMs). */
  uptimeSeconds: number;
  /** Host time (ms) of the last boot; with Host.now, uptime = now - bootedAtMs. */
  bootedAtMs?: number;
  /** A battery-backed clock keeps the time across reboots; without one the clock starts in 1970 until NTP or `/system clock set`. */
  rtc: boolean;
  /** The clock shows real time (else 1970-01-01 plus uptime, and certificate checks fail). */
  clockSet: boolean;
  resource: ResourceInfo;
  /** `/system routerboard` record; null on CHR/x86, where scripts get "bad command name". */
  routerboard: Record<string, string> | null;
  /** `/system license` record: `software-id`/`nlevel` on RouterBOARDs, `system-id`/`level` on CHR (RouterOS license keys 328149). */
  license: Record<string, string | number>;
  interfaces: InterfaceEntry[];
  ipAddresses: IpAddressEntry[];
  firewall: FirewallEntry[];
  schedulers: SchedulerEntry[];
  scripts: ScriptEntry[];
  files: FileEntry[];
  users: UserEntry[];
  groups: GroupEntry[];
  certificates: CertificateEntry[];
  certificateSettings: CertificateSettings;
  ntp: NtpClient;
  deviceMode: DeviceMode;
  /** `output=user` keeps at most this many bytes (default 65536 on v7, 4096 on v6: see fetch.ts). */
  outputUserLimit?: number;
  /** Running scripts, maintained by the interpreter. */
  jobs: JobEntry[];
  /** `:execute` runs still going (index.ts `settle` waits for them). */
  background: Set<Promise<void>>;
  /** Next internal id (`*1`, `*2`, ... in hex). */
  nextId: number;
  /** Script globals per user; lost on reboot. Strings are UTF-8 byte strings (use toJs/fromJs, runtime.ts globalsOf). */
  environment: Map<string, Map<string, Value>>;
  /** Script log (`:log`, `/log`), oldest first, capped at LOG_LIMIT like the memory log. */
  log: LogEntry[];
  rebooted?: boolean;
}

export const LOG_LIMIT = 1000;

export type Platform = 'routerboard' | 'chr' | 'x86';

export type RouterStateInit = Partial<Omit<RouterState, 'resource'>> & { resource?: Partial<ResourceInfo>; platform?: Platform };

const DEFAULT_INTERFACES = ['ether1', 'ether2', 'ether3', 'ether4', 'ether5', 'bridge', 'lo'];

/** Platform defaults: a RouterBOARD has a serial and a software-id; CHR a system-id; x86 a software-id (RouterOS license keys 328149). */
function platformDefaults(p: Platform): Pick<RouterState, 'routerboard' | 'license'> & { resource: Partial<ResourceInfo> } {
  if (p === 'chr') {
    return {
      routerboard: null,
      license: { 'system-id': 'xQ5JC4RCIXI', level: 'free' },
      resource: { boardName: 'CHR', architectureName: 'x86_64', cpu: 'QEMU Virtual CPU', platform: 'MikroTik' },
    };
  }
  if (p === 'x86') {
    return { routerboard: null, license: { 'software-id': 'TRPC-YYR2', level: 4 }, resource: { boardName: 'x86', architectureName: 'x86_64', cpu: 'Intel(R) Core(TM)' } };
  }
  return {
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
    resource: {},
  };
}

/** The default user groups (User 8978504). */
export const DEFAULT_GROUPS: readonly (readonly [string, string])[] = [
  ['read', 'local,telnet,ssh,reboot,read,test,winbox,password,web,sniff,sensitive,api,romon,rest-api,!ftp,!write,!policy'],
  ['write', 'local,telnet,ssh,reboot,read,write,test,winbox,password,web,sniff,sensitive,api,romon,rest-api,!ftp,!policy'],
  ['full', 'local,telnet,ssh,ftp,reboot,read,write,policy,test,winbox,password,web,sniff,sensitive,api,romon,rest-api'],
];

/** A fresh router (RouterOS 7.16.2 on an RB4011 unless overridden). */
export function createRouterState(init: RouterStateInit = {}): RouterState {
  const { resource, platform, ...rest } = init;
  const plat = platformDefaults(platform ?? 'routerboard');
  let nextId = 1;
  const id = (): string => `*${(nextId++).toString(16).toUpperCase()}`;
  const interfaces: InterfaceEntry[] = DEFAULT_INTERFACES.map((name) => ({
    id: id(),
    name,
    type: name.startsWith('ether') ? 'ether' : name === 'lo' ? 'loopback' : 'bridge',
    comment: '',
    disabled: false,
  }));
  const groups: GroupEntry[] = DEFAULT_GROUPS.map(([name, policy]) => ({ id: id(), name, policy, comment: '' }));
  const users: UserEntry[] = [{ id: id(), name: 'admin', group: 'full', comment: 'system default user', disabled: false }];
  return {
    identity: 'MikroTik',
    version: '7.16.2 (stable)',
    uptimeSeconds: 3600,
    rtc: true,
    clockSet: true,
    routerboard: plat.routerboard,
    license: plat.license,
    interfaces,
    ipAddresses: [],
    firewall: [],
    schedulers: [],
    scripts: [],
    files: [],
    users,
    groups,
    certificates: [],
    certificateSettings: { builtinTrustAnchors: 'not-trusted', builtinTrustStore: 'none' },
    ntp: { enabled: false, servers: '', primaryNtp: '0.0.0.0', secondaryNtp: '0.0.0.0', serverDnsNames: '' },
    deviceMode: { mode: 'advanced', flagged: false, features: {} },
    jobs: [],
    background: new Set(),
    nextId,
    environment: new Map(),
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
      ...plat.resource,
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
