// /export: a deterministic text export of the simulated config tree.
import { IP_ADDRESS, SCHEDULER, SCRIPT } from './config.js';
import type { MenuCommand } from './menu-kit.js';
import { clockOf, exportQuote, formatDate, print, putFile, secondsOfDay } from './menu-kit.js';
import type { Runtime } from './runtime.js';
import { exportTable } from './tables.js';
import { NOTHING, formatTime, toStr } from './values.js';
import { fromBin } from './bytes.js';

/** The export text: a `# <date> <time> by RouterOS <version>` header, then each non-empty menu. */
export function exportText(rt: Runtime): string {
  const { state, v6 } = rt;
  const ms = clockOf(rt);
  const version = state.version.replace(/\s*\(.*\)\s*$/, '');
  let out = `# ${formatDate(ms, v6)} ${formatTime(secondsOfDay(ms))} by RouterOS ${version}\n`;
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
  out += `/system identity\nset name=${exportQuote(state.identity, v6)}\n`;
  out += exportTable(SCHEDULER, state, v6);
  out += exportTable(SCRIPT, state, v6);
  return out;
}

export const EXPORT: MenuCommand = {
  flags: ['compact', 'terse', 'verbose', 'show-sensitive', 'hide-sensitive'],
  run: (c) => {
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
