// /export (Configuration Management 328155): a deterministic text export of the simulated config.
// It never contains certificates or user passwords. `show-sensitive` is v7's flag (v6 has
// `hide-sensitive`) and needs the `sensitive` policy (User 8978504: "sensitive - grants rights
// to change 'hide sensitive' option"; that it fails without it is believed).
import { fromBin } from './bytes.js';
import { formatDate, secondsOfDay } from './clock.js';
import { IP_ADDRESS, SCHEDULER, SCRIPT } from './config.js';
import { notEnoughPermissions } from './errors.js';
import { FIREWALL_FILTER } from './firewall.js';
import type { MenuCall, MenuCommand } from './menu-kit.js';
import { clockOf, exportQuote, print, putFile } from './menu-kit.js';
import type { Runtime } from './runtime.js';
import { exportTable } from './tables.js';
import { NOTHING, formatTime, toStr } from './values.js';
import { has } from './version.js';

/** The export text: a `# <date> <time> by RouterOS <version>` header, then each non-empty menu. */
export function exportText(rt: Runtime): string {
  const { state, v6 } = rt;
  const ms = clockOf(rt);
  const version = state.version.replace(/\s*\(.*\)\s*$/, '');
  let out = `# ${formatDate(ms, has(rt.version, 'iso-date'))} ${formatTime(secondsOfDay(ms))} by RouterOS ${version}\n`;
  const softwareId = state.license['software-id'];
  if (softwareId !== undefined) out += `# software id = ${String(softwareId)}\n`;
  out += '#\n';
  if (state.routerboard) {
    if (state.routerboard.model !== undefined) out += `# model = ${state.routerboard.model}\n`;
    if (state.routerboard['serial-number'] !== undefined) out += `# serial number = ${state.routerboard['serial-number']}\n`;
  }
  for (const i of state.interfaces) {
    const props = [i.comment !== '' ? `comment=${exportQuote(i.comment, v6)}` : '', i.disabled ? 'disabled=yes' : ''].filter((p) => p !== '');
    if (props.length > 0) out += `/interface\nset [ find name=${exportQuote(i.name, v6)} ] ${props.join(' ')}\n`;
  }
  out += exportTable(IP_ADDRESS, state, v6);
  out += exportTable(FIREWALL_FILTER, state, v6);
  out += `/system identity\nset name=${exportQuote(state.identity, v6)}\n`;
  const n = state.ntp;
  if (n.enabled) {
    const servers = v6 ? `primary-ntp=${n.primaryNtp}` : `servers=${exportQuote(n.servers, v6)}`;
    out += `/system ntp client\nset enabled=yes ${servers}\n`;
  }
  out += exportTable(SCHEDULER, state, v6);
  out += exportTable(SCRIPT, state, v6);
  return out;
}

function showSensitive(c: MenuCall): boolean {
  const v = c.named.get('show-sensitive');
  return c.flags.has('show-sensitive') || (v !== undefined && (toStr(v) === 'yes' || toStr(v) === 'true'));
}

const flags = (rt: Runtime): string[] => ['compact', 'terse', 'verbose', rt.v6 ? 'hide-sensitive' : 'show-sensitive'];

export const EXPORT: MenuCommand = {
  flags,
  params: (rt) => ['file', ...flags(rt)],
  policy: ['read'],
  run: (c) => {
    if (showSensitive(c) && !c.rt.policy.has('sensitive')) throw notEnoughPermissions();
    const text = exportText(c.rt);
    const file = c.named.get('file');
    if (file === undefined) print(c, text);
    else {
      const name = fromBin(toStr(file));
      putFile(c.rt.state, name.endsWith('.rsc') ? name : `${name}.rsc`, text);
    }
    return NOTHING;
  },
};
