import { z } from 'zod';
import { AppError } from '../errors.js';

/** Parses `input` with `schema`; the first problem becomes a 400 naming the parameter. */
export function parse<T extends z.ZodType>(schema: T, input: unknown, where?: string): z.output<T> {
  // reportInput: zod 4 leaves the offending value out of issues unless asked, and without it a
  // wrong type could not be told from a missing value.
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.map(String).join('.');
  const param = [where, path].filter(Boolean).join('.') || 'body';
  const missing = issue.code === 'invalid_type' && issue.input === undefined;
  throw new AppError(missing ? 'parameter_missing' : 'parameter_invalid', {
    param,
    message: missing
      ? `The '${param}' parameter is required for this request.`
      : `The '${param}' parameter is invalid: ${issue.message}.`,
  });
}

/** A header boolean: exactly "true" or "false" (any case); anything else ("yes", "1") is rejected. */
export const headerBool = z
  .string()
  .regex(/^(true|false)$/i, 'expected "true" or "false"')
  .transform((v) => v.toLowerCase() === 'true')
  .meta({ type: 'boolean' });

/** Any UUID (not only RFC 9562 versions: ids from other systems are accepted as they are). */
export const uuid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'expected a UUID')
  .meta({ format: 'uuid' });
