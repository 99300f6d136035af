// Start-up and readiness checks of the two backends, with errors that name the setting to fix.

/** A URL with its password masked, for messages and logs. */
export function redactUrl(url: string): string {
  let redacted: string;
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    redacted = u.toString();
  } catch {
    // A URL naming several hosts (redis+cluster://user:pass@h1:p,h2:p, redis+sentinel://…/name) is
    // no WHATWG URL: mask the password by hand.
    if (!/^[a-z+]+:\/\/[^/?#]*(\/[^?#]*)?(\?[^#]*)?$/i.test(url)) return '(unparsable URL)';
    redacted = url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
  }
  // Redis Sentinel's own password rides in the query (REDIS_URL=redis+sentinel://…?sentinelPassword=).
  return redacted.replace(/([?&]sentinelPassword=)[^&#]*/gi, '$1***');
}

/** Why a connection failed, in words (node's error codes and PostgreSQL's SQLSTATEs). */
export function reasonOf(err: unknown): string {
  const e = err as { code?: string; message?: string };
  switch (e.code ?? '') {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ETIMEDOUT':
      return 'timed out';
    case 'ECONNRESET':
      return 'connection reset';
    case '28P01':
    case '28000':
      return 'authentication failed (check the user and password)';
    case '3D000':
      return `${e.message ?? 'database does not exist'} (npm run db:migrate creates it)`;
    default:
      // ioredis' words when no Sentinel gave the master's address: none answered, or none knows the name.
      if (e.message?.startsWith('All sentinels are unreachable')) return 'no Sentinel named the master (none reachable, or none monitors that name)';
      return e.message ?? String(err);
  }
}

/** Rejects with "timed out after N ms" if `p` has not settled within `ms`. */
export function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`timed out after ${ms} ms`), { code: 'TIMEOUT' })), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
