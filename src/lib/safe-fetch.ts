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
  /**
   * Longest wait for the TCP connection and for the TLS handshake, each (within timeoutMs): an
   * address that never answers SYN fails fast instead of holding a delivery slot for timeoutMs.
   */
  connectTimeoutMs?: number;
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

/**
 * The IPv4 addresses an IPv6 address leads to, for the forms that embed one: IPv4-compatible
 * `::/96` and IPv4-mapped `::ffff:0:0/96` (RFC 4291 §2.5.5), translated `::ffff:0:0:0/96`
 * (RFC 6145), NAT64 `64:ff9b::/96` and `64:ff9b:1::/48` (RFC 6052 §2.1, RFC 8215), 6to4 `2002::/16`
 * (RFC 3056 §2) and Teredo `2001::/32`, whose server and obfuscated client address both count
 * (RFC 4380 §4). Empty for any other address, and for `::` and `::1`, which are IPv6's own.
 */
function embeddedIPv4(ip: ipaddr.IPv6): ipaddr.IPv4[] {
  const p = ip.parts;
  const v4 = (hi: number, lo: number): ipaddr.IPv4 => new ipaddr.IPv4([hi >> 8, hi & 255, lo >> 8, lo & 255]);
  const zero = (from: number, to: number): boolean => p.slice(from, to).every((x) => x === 0);
  const range = ip.range();
  if (range === 'unspecified' || range === 'loopback') return [];
  if (zero(0, 5) && (p[5] === 0 || p[5] === 0xffff)) return [v4(p[6]!, p[7]!)];
  if (zero(0, 4) && p[4] === 0xffff && p[5] === 0) return [v4(p[6]!, p[7]!)];
  if (p[0] === 0x64 && p[1] === 0xff9b && (zero(2, 6) || p[2] === 1)) return [v4(p[6]!, p[7]!)];
  if (p[0] === 0x2002) return [v4(p[1]!, p[2]!)];
  if (p[0] === 0x2001 && p[1] === 0) return [v4(p[2]!, p[3]!), v4(p[6]! ^ 0xffff, p[7]! ^ 0xffff)];
  return [];
}

function allowlisted(ip: ipaddr.IPv4 | ipaddr.IPv6, allowlist: string[]): boolean {
  return allowlist.some((cidr) => {
    const [net, bits] = ipaddr.parseCIDR(cidr);
    return net.kind() === ip.kind() && ip.match([net, bits] as never);
  });
}

/**
 * True if `address` may be contacted under `policy`. An IPv6 address that embeds IPv4 addresses
 * (NAT64, 6to4, Teredo, mapped) is judged by every one of them, so `[::7f00:1]` or
 * `[64:ff9b::a9fe:a9fe]` cannot reach loopback or the metadata service.
 */
export function addressAllowed(address: string, policy: Pick<OutboundPolicy, 'ranges' | 'allowlist'>): boolean {
  if (!ipaddr.isValid(address)) return false;
  const ip = ipaddr.parse(address);
  if (allowlisted(ip, policy.allowlist)) return true;
  const judged = ip.kind() === 'ipv6' ? embeddedIPv4(ip as ipaddr.IPv6) : [];
  return (judged.length > 0 ? judged : [ip]).every(
    (a) => allowlisted(a, policy.allowlist) || (policy.ranges as string[]).includes(a.range()),
  );
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
        timeout: { request: req.timeoutMs, connect: req.connectTimeoutMs, secureConnect: req.connectTimeoutMs },
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
