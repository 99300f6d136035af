// Policies (User 8978504): what a user group, a script, a scheduler entry and a running script
// may do. "Only scripts (including schedulers, netwatch, etc) with equal or higher permission
// rights can execute other scripts" (Scripting 47579229, "Script repository").
import type { RouterState } from './state.js';

/** The policies scripts and scheduler entries take; also their default (Scripting 47579229). */
export const SCRIPT_POLICIES = ['ftp', 'reboot', 'read', 'write', 'policy', 'test', 'password', 'sniff', 'sensitive', 'romon'] as const;
/** Every policy a user group can hold (User 8978504). */
export const ALL_POLICIES: ReadonlySet<string> = new Set([...SCRIPT_POLICIES, 'local', 'telnet', 'ssh', 'winbox', 'web', 'api', 'rest-api']);
export const DEFAULT_SCRIPT_POLICY = SCRIPT_POLICIES.join(',');

/** The granted policies of a `policy=` list (`!name` denies); null when a name is unknown. */
export function parsePolicy(text: string, allowed: ReadonlySet<string> = ALL_POLICIES): Set<string> | null {
  const out = new Set<string>();
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const name = item.startsWith('!') ? item.slice(1) : item;
    if (!allowed.has(name)) return null;
    if (!item.startsWith('!')) out.add(name);
  }
  return out;
}

export function isSubset(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

/** The policies of a user's group; empty for an unknown or disabled user. */
export function userPolicy(state: RouterState, user: string): Set<string> {
  const u = state.users.find((x) => x.name === user && !x.disabled);
  const g = u && state.groups.find((x) => x.name === u.group);
  return (g && parsePolicy(g.policy)) ?? new Set();
}
