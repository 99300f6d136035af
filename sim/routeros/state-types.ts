// Entry types of the simulated configuration, and the Host interface (the network around the router).

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
  owner: string;
  policy: string;
  comment: string;
  disabled: boolean;
  runCount: number;
  /** Host time (ms) the entry was added, or of the boot for `start-time=startup` (scheduler.ts). */
  anchorMs?: number;
  /** Host time (ms) of its last run. */
  lastRunMs?: number;
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
/** A file; `contents` is text. A `/system backup save` file carries its configuration as JSON (backup.ts). */
export type FileEntry = { id: string; name: string; type: string; contents: string; snapshot?: string };
/** A running script (`/system script job`). */
export type JobEntry = { id: string; script: string; type: string; owner: string; policy: string; started: string };
export type FirewallEntry = {
  id: string;
  chain: string;
  action: string;
  protocol: string;
  dstAddress: string;
  dstPort: string;
  outInterface: string;
  comment: string;
  disabled: boolean;
};
export type CertificateEntry = { id: string; name: string; commonName: string; trusted: boolean; authority: boolean; invalidBefore: string; invalidAfter: string };
export type UserEntry = { id: string; name: string; group: string; comment: string; disabled: boolean };
export type GroupEntry = { id: string; name: string; policy: string; comment: string };

export interface CertificateSettings {
  /** 7.19+ (Certificates 2555969): `trusted` lets fetch verify against the built-in root CAs. */
  builtinTrustAnchors: 'trusted' | 'not-trusted';
  /** 7.21+ (observed): comma list of services that use the built-in store, e.g. `fetch`, `all`, `none`. */
  builtinTrustStore: string;
}

export interface NtpClient {
  enabled: boolean;
  /** v7 `servers=`. */
  servers: string;
  /** v6 SNTP `primary-ntp=`, `secondary-ntp=` (IP addresses) and `server-dns-names=`. */
  primaryNtp: string;
  secondaryNtp: string;
  serverDnsNames: string;
}

export interface DeviceMode {
  mode: 'advanced' | 'home' | 'basic';
  flagged: boolean;
  /** Features switched on or off explicitly, over the mode's defaults. */
  features: Record<string, boolean>;
}

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

export interface FetchRequest {
  url: string;
  /** Upper case: GET, POST, PUT, ... */
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** `check-certificate=` as given (`no` when absent). */
  checkCertificate?: string;
}

/** What the network knows about a host name (or IPv4 address) the router connects to. */
export interface Peer {
  /** The IPv4 address the name resolves to; firewall rules match on it. */
  address?: string;
  /** The router interface the route to it leaves through. Default `ether1`. */
  interface?: string;
  /** Common name of the CA that issued the certificate the host presents over HTTPS. */
  issuer?: string;
  /** That CA is one of RouterOS's built-in root CAs (7.19+, Certificates 2555969). */
  publicCa?: boolean;
}

export interface Host {
  /** Answers a request the router made. A 3xx answer is returned to the script as it is: fetch follows no redirect. */
  fetch(req: FetchRequest): Promise<{ status: number; body: string }>;
  sleep(ms: number): Promise<void>;
  /** Milliseconds; drives uptime (with bootedAtMs), /system clock and the scheduler. */
  now?(): number;
  /** The peer behind a host name; undefined: reachable over ether1, presenting a certificate from a public CA. */
  peer?(host: string): Peer | undefined;
  /** Whether NTP servers answer (default true). */
  readonly ntp?: boolean;
}
