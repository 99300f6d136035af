// Start-up and readiness checks of the two backends, with errors that name the setting to fix.

/** A URL with its password masked, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    // A Redis Cluster URL (redis+cluster://user:pass@h1:p,h2:p) is no WHATWG URL: mask the password by hand.
    return /^[a-z+]+:\/\/[^/?#]*\/?$/i.test(url) ? url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@') : '(unparsable URL)';
  }
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
