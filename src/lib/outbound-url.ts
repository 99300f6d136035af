import ipaddr from 'ipaddr.js';
import type { Config } from '../config.js';
import { addressAllowed, type OutboundPolicy } from './safe-fetch.js';

// Outbound policy for URLs that API users hand us (notify_url): only public unicast addresses,
// plus whatever the operator allowlists, and https only in production. The authoritative check
// happens in safe-fetch at connection time; refusedEarly() only catches, without any DNS lookup,
// URLs that could never pass it, so a user hears about them at once instead of in a delivery log.

/** The policy for user-supplied callback URLs under `config`. */
export function userUrlPolicy(config: Pick<Config, 'env' | 'outboundAllowlist'>): OutboundPolicy {
  return { ranges: ['unicast'], allowlist: config.outboundAllowlist, requireHttps: config.env === 'production' };
}

/** Why `url` can never be fetched under `policy` (scheme, or an IP literal outside it), or null if it may be. */
export function refusedEarly(url: string, policy: OutboundPolicy): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a valid URL';
  }
  if (parsed.protocol !== 'https:' && (policy.requireHttps || parsed.protocol !== 'http:')) {
    return policy.requireHttps ? 'https is required' : 'only http and https URLs are allowed';
  }
  // The URL parser has already normalised odd IPv4 spellings (0x7f.1, 2130706433) to dotted quads.
  const literal = parsed.hostname.replace(/^\[|\]$/g, '');
  if (ipaddr.isValid(literal) && !addressAllowed(literal, policy)) {
    return `${literal} is a private, loopback, link-local or otherwise non-public address`;
  }
  return null;
}
