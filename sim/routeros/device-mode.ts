// `/system device-mode` (Device-mode 93749258): print and get, and the refusals of a feature it
// turns off ("failure: not allowed by device-mode") or of a flagged configuration. The mode can
// only change with a button press or power cycle, so scripts cannot update it here.
import { fromBin } from './bytes.js';
import { commandError } from './interpreter.js';
import type { MenuCall, MenuNode } from './menu-kit.js';
import { menu, print } from './menu-kit.js';
import type { Runtime } from './runtime.js';
import type { RouterState } from './state.js';
import type { Value } from './ast.js';
import { NOTHING, arr, bool, str, toStr } from './values.js';
import { has } from './version.js';

const FEATURES = [
  'scheduler', 'socks', 'fetch', 'pptp', 'l2tp', 'bandwidth-test', 'traffic-gen', 'sniffer', 'ipsec', 'romon', 'proxy',
  'hotspot', 'smb', 'email', 'zerotier', 'container', 'install-any-version', 'partitions', 'routerboard',
] as const;

/** What each mode disables (Device-mode 93749258, "Available device-mode modes"). */
const OFF: Readonly<Record<RouterState['deviceMode']['mode'], readonly string[]>> = {
  advanced: ['traffic-gen', 'container', 'install-any-version', 'partitions', 'routerboard'],
  basic: ['socks', 'bandwidth-test', 'traffic-gen', 'proxy', 'hotspot', 'zerotier', 'container', 'install-any-version', 'partitions', 'routerboard'],
  home: [
    'scheduler', 'socks', 'fetch', 'bandwidth-test', 'traffic-gen', 'sniffer', 'romon', 'proxy', 'hotspot', 'email', 'zerotier',
    'container', 'install-any-version', 'partitions', 'routerboard',
  ],
};

export function featureAllowed(state: RouterState, feature: string): boolean {
  const dm = state.deviceMode;
  return dm.features[feature] ?? !OFF[dm.mode].includes(feature);
}

/** Refuses a command of a feature device-mode turns off. */
export function requireFeature(c: MenuCall, feature: string): void {
  if (has(c.rt.version, 'device-mode') && !featureAllowed(c.rt.state, feature)) throw commandError(c.st, 'failure: not allowed by device-mode');
}

/** Refuses adding or enabling scheduler entries while the configuration is flagged (ibid., "Flagged status"). */
export function refuseIfFlagged(c: MenuCall): void {
  if (c.rt.state.deviceMode.flagged) {
    throw commandError(c.st, 'failure: configuration flagged, check all router configuration for unauthorized changes and update device-mode');
  }
}

function record(rt: Runtime): Map<string, Value> {
  const dm = rt.state.deviceMode;
  const rec = new Map<string, Value>([
    ['mode', str(dm.mode)],
    ['flagged', bool(dm.flagged)],
  ]);
  for (const f of FEATURES) rec.set(f, bool(featureAllowed(rt.state, f)));
  return rec;
}

export function deviceModeMenu(): MenuNode {
  return menu(
    {
      get: {
        params: ['value-name'],
        positional: 1,
        policy: ['read'],
        run: (c) => {
          const key = c.named.get('value-name') ?? c.pos[0];
          const rec = record(c.rt);
          if (key === undefined) return arr([], rec);
          const v = rec.get(fromBin(toStr(key)));
          if (v === undefined) throw commandError(c.st, 'input does not match any value of value-name');
          return v;
        },
      },
      print: {
        flags: ['as-value', 'without-paging'],
        params: ['as-value', 'without-paging'],
        policy: ['read'],
        run: (c) => {
          const rec = record(c.rt);
          if (c.flags.has('as-value')) return arr([], rec);
          print(c, [...rec].map(([k, v]) => `${k.padStart(21)}: ${v.t === 'bool' ? (v.v ? 'yes' : 'no') : fromBin(toStr(v))}\n`).join(''));
          return NOTHING;
        },
      },
    },
    {},
    (rt) => has(rt.version, 'device-mode'),
  );
}

