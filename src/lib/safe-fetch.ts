import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import got, { RequestError } from 'got';
import ipaddr from 'ipaddr.js';

// The one module that makes outbound HTTP requests (lint bans `got` and `fetch` elsewhere).
// Every address a host name resolves to is checked against the caller's policy at connection
// time, inside the DNS lookup the socket uses, so a name cannot pass the check and then rebind to
// an internal address. Redirects are never followed.

/** Address ranges (ipaddr.js range names) a destination may be in. */
export type AddressRange = 'unicast' | 'private' | 'carrierGradeNat' | 'uniqueLocal';

export interface OutboundPolicy {
  /** Ranges allowed besides the allowlist; everything else (loopback, link-local, metadata…) is refused. */
  ranges: AddressRange[];
  /** CIDRs allowed whatever their range (operator opt-in, e.g. 127.0.0.1/32 in tests). */
  allowlist: string[];
  requireHttps: boolean;
}

export class OutboundRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutboundRefused';
  }
}

export interface OutboundRequest {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** For management endpoints with self-signed certificates, by operator choice. */
  tls?: { rejectUnauthorized?: boolean; ca?: string };
  /** Basic auth credentials. */
  auth?: { username: string; password: string };
}

export interface OutboundResponse {
  status: number;
  body: string;
  durationMs: number;
}

export type SafeFetch = (url: string, req: OutboundRequest) => Promise<OutboundResponse>;

/** True if `address` may be contacted under `policy`. */
export function addressAllowed(address: string, policy: Pick<OutboundPolicy, 'ranges' | 'allowlist'>): boolean {
  if (!ipaddr.isValid(address)) return false;
  const ip = ipaddr.process(address); // unwraps IPv4-mapped IPv6
  for (const cidr of policy.allowlist) {
    const [net, bits] = ipaddr.parseCIDR(cidr);
    if (net.kind() === ip.kind() && ip.match([net, bits] as never)) return true;
  }
  return (policy.ranges as string[]).includes(ip.range());
}

/** A fetch that refuses destinations outside `policy`; network and HTTP failures resolve or throw plainly. */
export function createSafeFetch(policy: OutboundPolicy): SafeFetch {
  const guardedLookup = (
    hostname: string,
    options: LookupOptions,
    callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, []);
      const allowed = addresses.filter((a) => addressAllowed(a.address, policy));
      if (allowed.length === 0) {
        return callback(new OutboundRefused(`${hostname} resolves only to addresses outside the outbound policy`), []);
      }
      if (options.all) return callback(null, allowed);
      return callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };

  return async (url, req) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new OutboundRefused('not a valid URL');
    }
    if (parsed.protocol !== 'https:' && (policy.requireHttps || parsed.protocol !== 'http:')) {
      throw new OutboundRefused(`${parsed.protocol} URLs are not allowed`);
    }
    // Sockets skip the DNS lookup for IP literals, so check those here.
    const literal = parsed.hostname.replace(/^\[|\]$/g, '');
    if (ipaddr.isValid(literal) && !addressAllowed(literal, policy)) {
      throw new OutboundRefused(`${literal} is outside the outbound policy`);
    }
    const started = performance.now();
    try {
      const res = await got(parsed, {
        method: req.method,
        headers: req.headers,
        body: req.body,
        username: req.auth?.username,
        password: req.auth?.password,
        dnsLookup: guardedLookup as unknown as typeof dnsLookup,
        followRedirect: false,
        throwHttpErrors: false,
        retry: { limit: 0 },
        timeout: { request: req.timeoutMs },
        https: { rejectUnauthorized: req.tls?.rejectUnauthorized ?? true, certificateAuthority: req.tls?.ca },
        responseType: 'text',
      });
      return { status: res.statusCode, body: res.body, durationMs: Math.round(performance.now() - started) };
    } catch (err) {
      const cause = err instanceof RequestError ? (err.cause ?? err) : err;
      if (cause instanceof OutboundRefused) throw cause;
      throw err;
    }
  };
}
