import type { Config } from '../config.js';
import type { OutboundPolicy } from '../lib/safe-fetch.js';

// Where express execute may connect: shared by the express worker and the management endpoint API
// (which refuses an address no express could reach).

/**
 * Public addresses only, unless the deployment opts in: routers usually live on private and VPN
 * networks (CGNAT 100.64/10 for tunnels), but an API user must not be able to point express at
 * the deployment's own internal network, so those ranges are reached only through
 * MANAGEMENT_ALLOWLIST (or OUTBOUND_ALLOWLIST, which every outbound request honours).
 */
export function managementPolicy(config: Pick<Config, 'outboundAllowlist' | 'managementAllowlist'>): OutboundPolicy {
  return { ranges: ['unicast'], allowlist: [...config.managementAllowlist, ...config.outboundAllowlist], requireHttps: false };
}

/** The URL of the router's REST execute command (never carries the credentials). */
export function executeUrl(ep: { address: string; port: number; useTls: boolean }): string {
  const host = ep.address.includes(':') ? `[${ep.address}]` : ep.address;
  return `${ep.useTls ? 'https' : 'http'}://${host}:${ep.port}/rest/execute`;
}

