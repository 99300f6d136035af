import { z } from 'zod';

// Cursor pagination, written once for every list (the job list's conventions: `limit` and
// `cursor` query parameters, the next page's cursor in `X-Next-Cursor` and a `Link: <…>;
// rel="next"` header, the body a plain array). Lists ordered by a sequence number (jobs) use that
// number as their cursor; lists ordered newest first by a timestamp use a keyset cursor: the
// last row's (timestamp, unique key), opaque to clients (base64url of `<epoch ms>:<key>`).

/** The last row of a page of a keyset-ordered list: `ORDER BY at DESC, key DESC`. */
export interface Keyset {
  at: Date;
  key: string;
}

const KEYSET = /^(\d{1,15}):(.{1,200})$/s;

export function encodeKeyset(k: Keyset): string {
  return Buffer.from(`${k.at.getTime()}:${k.key}`, 'utf8').toString('base64url');
}

/** The keyset a cursor names, or null when the string is not a cursor this module wrote. */
export function decodeKeyset(cursor: string): Keyset | null {
  const m = KEYSET.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) return null;
  return { at: new Date(Number(m[1])), key: m[2]! };
}

/** The `cursor` query parameter of a keyset-ordered list (a 400 names it when it is not one). */
export const keysetCursor = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,300}$/, 'expected a cursor from X-Next-Cursor')
  .transform((s, ctx) => {
    const k = decodeKeyset(s);
    if (k === null) ctx.addIssue({ code: 'custom', message: 'expected a cursor from X-Next-Cursor' });
    return k ?? { at: new Date(0), key: '' };
  })
  .optional()
  .meta({ description: 'The X-Next-Cursor of the previous page.' });

/** `limit` and `cursor` of a keyset-ordered list. */
export function keysetQuery(limit: { max: number; default: number }) {
  return {
    limit: z.coerce.number().int().min(1).max(limit.max).default(limit.default),
    cursor: keysetCursor,
  };
}

/** The response headers of a paginated list (for its route spec's `json(…, headers)`). */
export const PAGE_HEADERS = {
  'X-Next-Cursor': 'Present when there is another page: its cursor.',
  Link: 'Present when there is another page: `<…>; rel="next"`.',
} as const;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * A page from up to `limit + 1` rows (the extra row only says there is a next page), with the
 * cursor that continues after its last row.
 */
export function pageOf<T>(rows: T[], limit: number, cursorOf: (last: T) => string): Page<T> {
  const items = rows.slice(0, limit);
  const more = rows.length > limit && items.length > 0;
  return { items, nextCursor: more ? cursorOf(items[items.length - 1]!) : null };
}

/**
 * Sets `X-Next-Cursor` and `Link` when there is a next page. The link repeats the request's own
 * query (filters, limit) with the new cursor.
 */
export function setNextPageHeaders(
  header: (name: string, value: string) => void,
  path: string,
  query: Readonly<Record<string, unknown>>,
  nextCursor: string | null,
): void {
  if (nextCursor === null) return;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (k !== 'cursor' && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) qs.set(k, String(v));
  }
  qs.set('cursor', nextCursor);
  header('X-Next-Cursor', nextCursor);
  header('Link', `<${path}?${qs.toString()}>; rel="next"`);
}
