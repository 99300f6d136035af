// /system ntp client (NTP 40992869): v6's SNTP client takes `primary-ntp`/`secondary-ntp` (IP
// addresses) and `server-dns-names`; v7's NTP client takes `servers`. The clock syncs through
// clock.ts once a configured server is reachable.
import type { Value } from './ast.js';
import { fromBin } from './bytes.js';
import { commandError } from './interpreter.js';
import type { MenuCall, MenuNode } from './menu-kit.js';
import { ipv4 } from './net.js';
import type { Runtime } from './runtime.js';
import { recordMenu } from './system.js';
import { NOTHING, bool, str, toStr } from './values.js';

const V6_PARAMS = ['enabled', 'primary-ntp', 'secondary-ntp', 'server-dns-names'];
const V7_PARAMS = ['enabled', 'servers', 'mode', 'vrf'];

function record(rt: Runtime): Map<string, Value> {
  const n = rt.state.ntp;
  if (rt.v6) {
    return new Map<string, Value>([
      ['enabled', bool(n.enabled)],
      ['primary-ntp', str(n.primaryNtp)],
      ['secondary-ntp', str(n.secondaryNtp)],
      ['server-dns-names', str(n.serverDnsNames)],
      ['mode', str('unicast')],
    ]);
  }
  return new Map<string, Value>([
    ['enabled', bool(n.enabled)],
    ['mode', str('unicast')],
    ['servers', str(n.servers)],
    ['vrf', str('main')],
    ['status', str(!n.enabled ? 'stopped' : rt.state.clockSet ? 'synchronized' : 'waiting')],
  ]);
}

function yesNo(c: MenuCall, v: Value): boolean {
  if (v.t === 'bool') return v.v;
  const s = toStr(v);
  if (s === 'yes' || s === 'true') return true;
  if (s === 'no' || s === 'false') return false;
  throw commandError(c.st, 'invalid value for argument enabled');
}

function set(c: MenuCall): Value {
  const n = c.rt.state.ntp;
  const enabled = c.named.get('enabled');
  if (enabled !== undefined) n.enabled = yesNo(c, enabled);
  for (const key of ['primary-ntp', 'secondary-ntp'] as const) {
    const v = c.named.get(key);
    if (v === undefined) continue;
    const ip = fromBin(toStr(v));
    if (ipv4(ip) === null || ip.includes('/')) throw commandError(c.st, `invalid value for argument ${key}`);
    if (key === 'primary-ntp') n.primaryNtp = ip;
    else n.secondaryNtp = ip;
  }
  const names = c.named.get('server-dns-names');
  if (names !== undefined) n.serverDnsNames = fromBin(toStr(names));
  const servers = c.named.get('servers');
  if (servers !== undefined) n.servers = fromBin(toStr(servers));
  return NOTHING;
}

export function ntpMenu(): MenuNode {
  return recordMenu(record, { set: { params: (rt) => (rt.v6 ? V6_PARAMS : V7_PARAMS), policy: ['write'], run: set } });
}
