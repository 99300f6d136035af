// Uptime and the wall clock. A router without a battery clock starts at 1970-01-01 after a boot
// and keeps that until NTP answers or someone sets it (Clock 40992866; NTP 40992869). With a
// reachable NTP server configured the clock is taken as synchronised at once (believed: real
// routers need a few seconds).
import { blocked, peerOf } from './net.js';
import type { Host } from './state-types.js';
import type { RouterState } from './state.js';

const DEFAULT_EPOCH = Date.UTC(2025, 0, 1);

export function uptimeOf(state: RouterState, host: Host): number {
  const now = host.now?.();
  if (now !== undefined && state.bootedAtMs !== undefined) return Math.max(0, Math.floor((now - state.bootedAtMs) / 1000));
  return state.uptimeSeconds;
}

function ntpServers(state: RouterState, v6: boolean): string[] {
  const n = state.ntp;
  const list = v6 ? [n.primaryNtp, n.secondaryNtp, ...n.serverDnsNames.split(',')] : n.servers.split(',');
  return list.map((x) => x.trim()).filter((x) => x !== '' && x !== '0.0.0.0');
}

/** Marks the clock set when the NTP client is on and one of its servers answers. */
export function syncClock(state: RouterState, host: Host, v6: boolean): void {
  if (state.clockSet || !state.ntp.enabled || host.ntp === false) return;
  const reachable = ntpServers(state, v6).some((s) => {
    const p = peerOf(host, s);
    return blocked(state, { address: p.address, interface: p.interface, protocol: 'udp', port: 123 }) === null;
  });
  if (reachable) state.clockSet = true;
}

/** Wall clock in ms: Host.now (else a fixed date plus uptime), or 1970 plus uptime while the clock is unset. */
export function clockMs(state: RouterState, host: Host, v6: boolean): number {
  syncClock(state, host, v6);
  if (!state.clockSet) return uptimeOf(state, host) * 1000;
  return host.now?.() ?? DEFAULT_EPOCH + uptimeOf(state, host) * 1000;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const p2 = (n: number): string => String(n).padStart(2, '0');

/** `2025-01-01` (ISO, v7.10+) or `jan/01/2025` (older). */
export function formatDate(ms: number, iso: boolean): string {
  const d = new Date(ms);
  if (!iso) return `${MONTHS[d.getUTCMonth()]!}/${p2(d.getUTCDate())}/${String(d.getUTCFullYear())}`;
  return `${String(d.getUTCFullYear())}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}`;
}

export function secondsOfDay(ms: number): number {
  return Math.floor((ms % 86400000) / 1000);
}

/** Parses `2025-01-01` or `jan/01/2025` to the UTC midnight ms; null if neither. */
export function parseDate(text: string): number | null {
  const iso = /^(\d{4})-(\d\d)-(\d\d)$/.exec(text);
  if (iso) return Date.UTC(Number(iso[1]), Number(iso[2]) - 1, Number(iso[3]));
  const old = /^([a-z]{3})\/(\d\d)\/(\d{4})$/i.exec(text);
  const month = old ? MONTHS.indexOf(old[1]!.toLowerCase()) : -1;
  return old && month >= 0 ? Date.UTC(Number(old[3]), month, Number(old[2])) : null;
}
