// Parser for the `key=value;key=value;` bodies routers POST to /adopt and /poll
// (gathered by src/routeros/facts-script.ts, sent by src/routeros/agent.ts). Router input is untrusted, so the
// parser is strict about structure but tolerant of formatting noise.
import { Buffer } from 'node:buffer';

const MAX_KEYS = 128;
const MAX_VALUE_LENGTH = 1024;
// Longest sensible uptime string is ~25 chars; the cap keeps regex work trivial.
const MAX_UPTIME_LENGTH = 64;

// Checked before lowercasing so non-ASCII characters that lowercase to ASCII
// (e.g. KELVIN SIGN → "k") cannot sneak in as a different key.
const KEY_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

// `:tostr` / concatenated script values: [Nw][Nd]HH:MM:SS[.fraction].
const COLON_UPTIME_RE = /^(?:(\d+)w)?(?:(\d+)d)?(\d{1,2}):(\d{2}):(\d{2})(?:\.\d+)?$/;
// print / REST / API output: 1w2d3h4m5s with zero parts omitted.
const UNIT_UPTIME_RE = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

const WEEK = 7 * 24 * 3600;
const DAY = 24 * 3600;

function num(s: string | undefined): number {
  return s === undefined ? 0 : Number(s);
}

function safeSeconds(total: number): number | null {
  return Number.isSafeInteger(total) ? total : null;
}

/** RouterOS uptime (`1d02:15:38`, `2w3d04:05:06.5`, `13h35m12s`, ...) to whole seconds (fractions floored), or null if not a valid uptime. */
export function parseUptime(s: string): number | null {
  if (s === '' || s.length > MAX_UPTIME_LENGTH) return null;
  const colon = COLON_UPTIME_RE.exec(s);
  if (colon) {
    const [, w, d, h, m, sec] = colon;
    const minutes = num(m);
    const seconds = num(sec);
    if (minutes >= 60 || seconds >= 60) return null;
    return safeSeconds(num(w) * WEEK + num(d) * DAY + num(h) * 3600 + minutes * 60 + seconds);
  }
  // The all-optional pattern also matches '', which the guard above already excluded,
  // so any match here has at least one part.
  const unit = UNIT_UPTIME_RE.exec(s);
  if (unit) {
    const [, w, d, h, m, sec, ms] = unit;
    return safeSeconds(
      num(w) * WEEK + num(d) * DAY + num(h) * 3600 + num(m) * 60 + num(sec) + Math.floor(num(ms) / 1000),
    );
  }
  return null;
}

export interface Heartbeat {
  /** Null-prototype record: lowercased key → percent-decoded value. */
  fields: Record<string, string>;
  /** Parsed `uptime` field, or null when the router did not send one. */
  uptimeSeconds: number | null;
}

export class HeartbeatParseError extends Error {
  constructor(
    message: string,
    /** The offending key, or `body` for structural problems. */
    readonly param: string,
  ) {
    super(message);
    this.name = 'HeartbeatParseError';
  }
}

// Hex digit value per byte, -1 for non-hex; either case, since agents differ.
const HEX_VALUE = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX_VALUE[0x30 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX_VALUE[0x41 + i] = 10 + i;
  HEX_VALUE[0x61 + i] = 10 + i;
}

// Byte-level decoding: decodeURIComponent throws on stray `%` and on invalid UTF-8, and we
// must accept both (stray `%` stays literal). Working on UTF-8 bytes is safe because `%` and hex
// digits are ASCII, which never occur inside a multi-byte sequence. `+` is not a space here.
// Decoded bytes that are not valid UTF-8 (an identity typed in cp1251 or latin-1 in WinBox) are
// read as latin-1, one character per byte, so nothing is lost to U+FFFD.
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

function percentDecode(value: string): string {
  if (!value.includes('%')) return value;
  const src = Buffer.from(value, 'utf8');
  const out = Buffer.allocUnsafe(src.length);
  let o = 0;
  for (let i = 0; i < src.length; i++) {
    const b = src[i]!;
    if (b === 0x25 && i + 2 < src.length) {
      const hi = HEX_VALUE[src[i + 1]!]!;
      const lo = HEX_VALUE[src[i + 2]!]!;
      if (hi >= 0 && lo >= 0) {
        out[o++] = hi * 16 + lo;
        i += 2;
        continue;
      }
    }
    out[o++] = b;
  }
  const bytes = out.subarray(0, o);
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

// Only ASCII whitespace (space, \t \n \v \f \r): a value's own non-ASCII spacing is data, not formatting.
const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);

/**
 * Reads a `key=value;...` heartbeat body in one pass, calling `field` with each lowercased key and
 * percent-decoded value in order (a repeated key is reported again; the last one wins). Throws
 * HeartbeatParseError on malformed input, at the first fault: a segment without `=`, an invalid
 * key, a value too long or holding NUL, more than MAX_KEYS distinct keys.
 */
export function scanHeartbeat(body: string, field: (key: string, value: string) => void): void {
  const keys = new Set<string>();
  // Some HTTP clients prepend a BOM; it is never part of the first key.
  let start = body.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (start <= body.length) {
    let end = body.indexOf(';', start);
    if (end < 0) end = body.length;
    let from = start;
    let to = end;
    start = end + 1;
    while (from < to && isSpace(body.charCodeAt(from))) from++;
    while (to > from && isSpace(body.charCodeAt(to - 1))) to--;
    if (from === to) continue;
    const eq = body.indexOf('=', from);
    if (eq < 0 || eq >= to) throw new HeartbeatParseError('heartbeat segment without "="', 'body');
    let keyEnd = eq;
    while (keyEnd > from && isSpace(body.charCodeAt(keyEnd - 1))) keyEnd--;
    const rawKey = body.slice(from, keyEnd);
    if (!KEY_RE.test(rawKey)) throw new HeartbeatParseError('invalid heartbeat key', rawKey);
    const key = rawKey.toLowerCase();
    const value = percentDecode(body.slice(eq + 1, to));
    if (value.length > MAX_VALUE_LENGTH) {
      throw new HeartbeatParseError(`heartbeat value longer than ${MAX_VALUE_LENGTH} characters`, key);
    }
    // Decoded NUL cannot be stored in PostgreSQL text columns or logged safely.
    if (value.includes('\u0000')) throw new HeartbeatParseError('heartbeat value contains NUL', key);
    keys.add(key);
    if (keys.size > MAX_KEYS) throw new HeartbeatParseError(`more than ${MAX_KEYS} heartbeat keys`, 'body');
    field(key, value);
  }
}

/** A heartbeat's `uptime` value in seconds; throws HeartbeatParseError if it is not a RouterOS uptime. */
export function heartbeatUptime(value: string): number {
  const seconds = parseUptime(value);
  if (seconds === null) throw new HeartbeatParseError('invalid uptime', 'uptime');
  return seconds;
}

/** Parses a `key=value;...` heartbeat body into lowercased keys and decoded values; throws HeartbeatParseError on malformed input. */
export function parseHeartbeat(body: string): Heartbeat {
  // A Map cannot be prototype-polluted by keys like `__proto__` or `constructor`.
  const fields = new Map<string, string>();
  scanHeartbeat(body, (key, value) => {
    // Delete first so a repeated key moves to its latest position; last one wins.
    fields.delete(key);
    fields.set(key, value);
  });
  const uptime = fields.get('uptime');
  const uptimeSeconds = uptime === undefined ? null : heartbeatUptime(uptime);
  const record = Object.create(null) as Record<string, string>;
  for (const [k, v] of fields) record[k] = v;
  return { fields: record, uptimeSeconds };
}

/**
 * The one table of the heartbeat encoding: the bytes a value carries as `%XX`. The router's
 * encoder (`tkEnc`, src/routeros/facts-script.ts) is generated from it, and encodeHeartbeatBytes
 * applies it here: every control byte, the space (a router's `http-data` is sent as is, and a
 * proxy may trim it), `%`, `;`, `=`, and every byte from 0x7F (raw code-page bytes are not UTF-8).
 */
export function isEncodedByte(b: number): boolean {
  return b <= 0x20 || b >= 0x7f || b === 0x25 || b === 0x3b || b === 0x3d;
}

const hex2 = (b: number): string => b.toString(16).toUpperCase().padStart(2, '0');

/** Percent-encodes the bytes the table names; the result is printable ASCII without space, `;` or `=`. */
export function encodeHeartbeatBytes(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += isEncodedByte(b) ? `%${hex2(b)}` : String.fromCharCode(b);
  return out;
}

/** A text value's UTF-8 bytes encoded as the router's agent encodes them (the same table). */
export function encodeHeartbeatValue(v: string): string {
  return encodeHeartbeatBytes(Buffer.from(v, 'utf8'));
}
