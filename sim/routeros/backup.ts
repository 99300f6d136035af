// /system backup save and load (Backup 40992852). A saved file holds a copy of the configuration;
// loading it restores that configuration and reboots ("Restore and reboot?"). Certificates are
// not restored (issue 13 reads this from the Backup page; the May 2025 export of the page does
// not say it, so this is believed): the router comes back with none at all, the stricter reading,
// so whatever must be trusted after a load has to be imported again (docs/rollback.md). Saving needs the `sensitive` policy
// ("to get access to generated backup files, the script ... must have a 'sensitive' policy",
// Scripting examples 139067404).
import { fromBin } from './bytes.js';
import { formatDate } from './clock.js';
import { RebootSignal } from './errors.js';
import { commandError } from './interpreter.js';
import type { MenuCall, MenuCommand, MenuNode } from './menu-kit.js';
import { clockOf, menu, putFile } from './menu-kit.js';
import type { RouterState } from './state.js';
import { NOTHING, str, toStr } from './values.js';

/** What a backup carries: everything configurable except certificates, files and device-mode. */
const SAVED = ['identity', 'interfaces', 'ipAddresses', 'firewall', 'schedulers', 'scripts', 'users', 'groups', 'certificateSettings', 'ntp'] as const;
type Snapshot = Pick<RouterState, (typeof SAVED)[number]>;

function snapshot(state: RouterState): Snapshot {
  const out: Record<string, unknown> = {};
  for (const k of SAVED) out[k] = structuredClone(state[k]);
  return out as Snapshot;
}

function fileName(c: MenuCall): string {
  const given = c.named.get('name');
  const ms = clockOf(c.rt);
  const name = given === undefined ? `${c.rt.state.identity}-${formatDate(ms, true).replaceAll('-', '')}` : fromBin(toStr(given));
  return name.endsWith('.backup') ? name : `${name}.backup`;
}

const SAVE: MenuCommand = {
  params: ['name', 'password', 'dont-encrypt', 'encryption'],
  policy: ['sensitive'],
  run: (c) => {
    const enc = c.named.get('encryption');
    if (enc !== undefined && !['aes-sha256', 'rc4'].includes(toStr(enc))) throw commandError(c.st, 'invalid value for argument encryption');
    const file = putFile(c.rt.state, fileName(c), '(binary backup)', 'backup');
    file.snapshot = JSON.stringify({ config: snapshot(c.rt.state), password: fromBin(toStr(c.named.get('password') ?? str(''))) });
    return NOTHING;
  },
};

const LOAD: MenuCommand = {
  params: ['name', 'password'],
  policy: ['sensitive', 'write'],
  run: (c) => {
    const name = fromBin(toStr(c.named.get('name') ?? str('')));
    const file = c.rt.state.files.find((f) => f.name === name || f.name === `${name}.backup`);
    const saved = file?.snapshot === undefined ? undefined : (JSON.parse(file.snapshot) as { config: Snapshot; password: string });
    if (!saved) throw commandError(c.st, 'failure: no such backup file');
    if (saved.password !== fromBin(toStr(c.named.get('password') ?? str('')))) throw commandError(c.st, 'failure: wrong password');
    Object.assign(c.rt.state, saved.config);
    c.rt.state.certificates.length = 0;
    c.rt.state.rebooted = true;
    throw new RebootSignal();
  },
};

export function backupMenu(): MenuNode {
  return menu({ save: SAVE, load: LOAD });
}
