import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs to stdout (or `destination`, for tests); secrets and tokens are redacted wherever they
 * appear in logged objects. A request's lines carry its id through a child logger (src/http/register.ts),
 * not AsyncLocalStorage: on Node 20 that turns on async hooks for every promise of the process, polls
 * included.
 */
export function createLogger(opts: { level: string; name: string }, destination?: DestinationStream): Logger {
  return pino(
    {
    name: opts.name,
    level: opts.level,
    redact: { paths: ['req.headers.authorization', '*.token', '*.password', '*.signature'], censor: '[redacted]' },
    },
    destination,
  );
}
