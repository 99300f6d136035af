import ipaddr from 'ipaddr.js';
import type { Context } from 'koa';
import { AppError } from '../errors.js';
import type { Logger } from '../lib/logger.js';
import { oncePer } from '../lib/throttle.js';
import type { LimitName, RateLimits } from '../redis/rate-limit.js';
import type { Operator } from './auth.js';

// Applies the request rate limits (src/redis/rate-limit.ts) to a route: headers of the IETF
// draft "RateLimit header fields for HTTP" (draft-ietf-httpapi-ratelimit-headers-07, §4: Limit,
// Remaining, Reset in seconds) on every counted response, and 429 `rate_limited` with Retry-After
// (RFC 9110 §10.2.3) over the limit. If Redis cannot count, the request goes through (fail open:
// a limiter outage must not become an API outage) and one log line per interval says so.

export const RATE_LIMIT_HEADERS = {
  'RateLimit-Limit': 'Requests allowed in the current window (one minute).',
  'RateLimit-Remaining': 'Requests left in the current window.',
  'RateLimit-Reset': 'Seconds until the current window ends.',
} as const;

export const RETRY_AFTER_HEADER = { 'Retry-After': 'Seconds to wait before retrying.' } as const;

/** The counter of an operator: its credential (API key or JWT subject) within its org. */
export const operatorKey = (op: Pick<Operator, 'org' | 'actor'>): string => `${encodeURIComponent(op.org)}/${op.actor}`;

/**
 * The counter of a source address. IPv6 clients are counted per /64, the smallest block a
 * site is normally given (RFC 6177), so one host cannot step around the limit through its own prefix.
 */
export function addressKey(ip: string): string {
  if (!ipaddr.isValid(ip)) return `other:${ip.slice(0, 64)}`;
  const addr = ipaddr.process(ip); // IPv4-mapped IPv6 → IPv4
  if (addr.kind() === 'ipv4') return addr.toString();
  const parts = (addr as ipaddr.IPv6).parts.slice(0, 4);
  return `${parts.map((p) => p.toString(16)).join(':')}::/64`;
}

export type LimitCheck = (ctx: Context, name: LimitName, key: string) => Promise<void>;

/** Counts the request against limit `name` for `key`: sets the headers, throws 429 over the limit. */
export function rateLimiter(limits: RateLimits, log: Logger): LimitCheck {
  const warn = oncePer(30_000, (suppressed: number, err: Error) =>
    log.warn({ err: err.message, repeated: suppressed }, 'rate limiter unavailable (Redis); requests are let through unlimited'),
  );
  return async (ctx, name, key) => {
    const verdict = await limits.consume(name, key);
    if (verdict === null) return;
    if ('unknown' in verdict) {
      warn(verdict.unknown);
      return;
    }
    const reset = Math.max(1, Math.ceil(verdict.resetMs / 1000));
    ctx.set('RateLimit-Limit', String(verdict.limit));
    ctx.set('RateLimit-Remaining', String(verdict.remaining));
    ctx.set('RateLimit-Reset', String(reset));
    if (!verdict.allowed) {
      ctx.set('Retry-After', String(reset));
      throw new AppError('rate_limited', {
        message: `Too many requests: the limit is ${verdict.limit} per minute ${name === 'operator' ? 'for this credential' : 'from this address'}; retry in ${reset} s.`,
      });
    }
  };
}
