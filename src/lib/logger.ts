import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** The request a log line was written for: every line logged while serving it carries its id. */
const requestScope = new AsyncLocalStorage<{ requestId: string }>();

/** Runs `fn` (a request's handling) so that every line logged inside it carries `requestId`. */
export function withRequestId<T>(requestId: string, fn: () => T): T {
  return requestScope.run({ requestId }, fn);
}

/**
 * JSON logs to stdout (or `destination`, for tests); secrets and tokens are redacted wherever they
 * appear in logged objects.
 */
export function createLogger(opts: { level: string; name: string }, destination?: DestinationStream): Logger {
  return pino(
    {
    name: opts.name,
    level: opts.level,
    mixin: () => {
      const scope = requestScope.getStore();
      return scope ? { requestId: scope.requestId } : {};
    },
    redact: { paths: ['req.headers.authorization', '*.token', '*.password', '*.signature'], censor: '[redacted]' },
    },
    destination,
  );
}
