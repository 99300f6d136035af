// Whether the router can reach a host: the egress interface must be enabled and no enabled
// `/ip firewall filter` rule in the output chain may drop or reject the connection. Rules are
// matched in order and the first match decides (Filter 48660574); only the matchers tikops needs
// are modelled: protocol, dst-address (address or prefix, `!` negates), dst-port, out-interface.
import type { FirewallEntry, Host, Peer } from './state-types.js';
import type { RouterState } from './state.js';

const IPV4_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/;

/** An IPv4 address or prefix as [network, mask]; null when it is not one. */
export function ipv4(text: string): [number, number] | null {
  const m = IPV4_RE.exec(text);
  if (!m) return null;
  const octets = [m[1], m[2], m[3], m[4]].map(Number);
  const prefix = m[5] === undefined ? 32 : Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return null;
  const ip = ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [(ip & mask) >>> 0, mask];
}

export function dottedQuad(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function addressMatches(rule: string, address: string | undefined): boolean {
  if (rule === '') return true;
  const negate = rule.startsWith('!');
  const net = ipv4(negate ? rule.slice(1) : rule);
  const ip = address === undefined ? null : ipv4(address);
  const inside = net !== null && ip !== null && ((ip[0] & net[1]) >>> 0) === net[0];
  return negate ? !inside : inside;
}

function portMatches(rule: string, port: number): boolean {
  if (rule === '') return true;
  return rule.split(',').some((part) => {
    const [lo, hi] = part.split('-').map(Number);
    return hi === undefined ? port === lo : port >= lo! && port <= hi;
  });
}

export interface Connection {
  readonly address: string | undefined;
  readonly interface: string;
  readonly protocol: 'tcp' | 'udp';
  readonly port: number;
}

function ruleMatches(r: FirewallEntry, c: Connection): boolean {
  return (
    !r.disabled &&
    r.chain === 'output' &&
    (r.protocol === '' || r.protocol === c.protocol) &&
    addressMatches(r.dstAddress, c.address) &&
    portMatches(r.dstPort, c.port) &&
    (r.outInterface === '' || r.outInterface === c.interface)
  );
}

/** The peer a host name (or address) stands for; unknown names go out through ether1 to a publicly signed host. */
export function peerOf(host: Host, name: string): Peer & { interface: string } {
  const p = host.peer?.(name) ?? {};
  const address = p.address ?? (ipv4(name) ? name : undefined);
  return { publicCa: p.issuer === undefined, issuer: 'Simulated Public Root CA', ...p, ...(address === undefined ? {} : { address }), interface: p.interface ?? 'ether1' };
}

/** Null when the connection gets out, else why not (`connection timeout` for a drop; messages believed). */
export function blocked(state: RouterState, c: Connection): string | null {
  const iface = state.interfaces.find((i) => i.name === c.interface);
  if (!iface || iface.disabled) return 'connection timeout';
  for (const r of state.firewall) {
    if (!ruleMatches(r, c)) continue;
    if (r.action === 'drop') return 'connection timeout';
    if (r.action === 'reject') return 'connection refused';
    if (r.action === 'accept') return null;
  }
  return null;
}
