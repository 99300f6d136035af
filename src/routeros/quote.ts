// The single encoder for every server value that becomes RouterOS source code
// (escape sequences: Scripting, help.mikrotik.com/docs/spaces/ROS/pages/47579229). Nothing else may concatenate raw values into scripts.
import { Buffer } from 'node:buffer';

// Bytes that may appear verbatim inside "...": printable ASCII except the four
// characters RouterOS gives a meaning to inside a literal (`\`, `"`, `$`, and
// `?`, the v6 console help key).
const PASS = new Uint8Array(256);
// Encoded length per ASCII code unit, so rosQuotedLength never allocates.
const ASCII_LEN = new Uint8Array(128);
// Encoded length per byte of rosQuote(rosQuote(text))'s inner literal: the byte's encoding, encoded again.
const TWICE_LEN = new Uint8Array(256);
// Per byte, the escape's characters after the backslash (empty for PASS bytes).
// All four tables come from one loop so they cannot disagree.
const ESCAPE_TAIL: readonly Uint8Array[] = buildTables();

function escapeFor(b: number): string | null {
  if (b === 0x5c) return '\\';
  if (b === 0x22) return '"';
  if (b === 0x24) return '$';
  // `\?` was removed in v7.1rc2 and a bare `?` is help on v6; hex is valid on both.
  if (b === 0x3f) return '3F';
  if (b === 0x0a) return 'n';
  if (b === 0x0d) return 'r';
  if (b === 0x09) return 't';
  // Uppercase only: lowercase hex is not a documented escape. No `\f` (0xFF in
  // current docs, form feed in v2.9) and no `\_` (a plain space is already safe).
  if (b < 0x20 || b >= 0x7f) return b.toString(16).toUpperCase().padStart(2, '0');
  return null;
}

function buildTables(): Uint8Array[] {
  const tails: Uint8Array[] = [];
  for (let b = 0; b < 256; b++) {
    const tail = escapeFor(b);
    if (tail === null) PASS[b] = 1;
    tails.push(Uint8Array.from(Buffer.from(tail ?? '', 'latin1')));
    if (b < 0x80) ASCII_LEN[b] = tail === null ? 1 : 1 + tail.length;
  }
  // The escape's characters are ASCII, so ASCII_LEN (complete now) gives their length once re-encoded.
  for (let b = 0; b < 256; b++) {
    const tail = tails[b]!;
    TWICE_LEN[b] = PASS[b] === 1 ? 1 : ASCII_LEN[0x5c]! + tail.reduce((n, t) => n + ASCII_LEN[t]!, 0);
  }
  return tails;
}

function nulError(): RangeError {
  // NUL truncates strings in some RouterOS contexts, so it cannot be carried safely.
  return new RangeError('rosQuote: text contains NUL (U+0000), which cannot be encoded');
}

/** Encodes text (as UTF-8) into one RouterOS double-quoted literal, quotes included; throws RangeError on NUL. */
export function rosQuote(text: string): string {
  // Lone surrogates become U+FFFD here, like any UTF-8 encoder; callers that need
  // byte-exact round trips should reject non-well-formed strings up front.
  const bytes = Buffer.from(text, 'utf8');
  // Every byte grows to at most 3 output bytes, so one allocation always fits and
  // the loop writes bytes directly instead of building intermediate strings.
  const out = Buffer.allocUnsafe(bytes.length * 3 + 2);
  let o = 0;
  out[o++] = 0x22;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (PASS[b] === 1) {
      out[o++] = b;
      continue;
    }
    if (b === 0) throw nulError();
    const tail = ESCAPE_TAIL[b]!;
    out[o++] = 0x5c;
    out[o++] = tail[0]!;
    if (tail.length === 2) out[o++] = tail[1]!;
  }
  out[o++] = 0x22;
  return out.toString('latin1', 0, o);
}

/** Byte length of rosQuote(text) (which is pure ASCII) computed without building it; throws RangeError on NUL. */
export function rosQuotedLength(text: string): number {
  return quotedLength(text, ASCII_LEN, 3, 2);
}

/**
 * Byte length of rosQuote(rosQuote(text)) without building either (a literal inside a literal,
 * as output capture ships the payload: src/routeros/wrapper.ts); throws RangeError on NUL.
 */
export function rosQuotedTwiceLength(text: string): number {
  // The outer literal's quotes, and the inner literal's two quotes escaped (`\"`).
  return quotedLength(text, TWICE_LEN, 4, 2 + 2 * 2);
}

/**
 * `quotes` plus, per UTF-8 byte of `text`, `perAscii[byte]` for ASCII and `perOther` for the
 * bytes of other characters (all escaped as hex) — without encoding `text`.
 */
function quotedLength(text: string, perAscii: Uint8Array, perOther: number, quotes: number): number {
  let len = quotes;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      if (c === 0) throw nulError();
      len += perAscii[c]!;
    } else if (c < 0x800) {
      len += 2 * perOther;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        len += 4 * perOther;
        i++;
      } else {
        // Lone high surrogate: Buffer encodes it as U+FFFD (3 bytes).
        len += 3 * perOther;
      }
    } else {
      // Rest of the BMP, and lone surrogates (U+FFFD), are 3 UTF-8 bytes.
      len += 3 * perOther;
    }
  }
  return len;
}

// Named escapes from the RouterOS "Constant Escape Sequences" table. `\f` is 0xFF
// per the current documentation (not form feed), which is why rosQuote never emits it.
const NAMED_ESCAPES: ReadonlyMap<string, number> = new Map([
  ['"', 0x22],
  ['\\', 0x5c],
  ['$', 0x24],
  ['?', 0x3f],
  ['n', 0x0a],
  ['r', 0x0d],
  ['t', 0x09],
  ['_', 0x20],
  ['a', 0x07],
  ['b', 0x08],
  ['v', 0x0b],
  ['f', 0xff],
]);

function upperHex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** Decodes one RouterOS double-quoted literal (documented escapes only) to UTF-8 text; throws SyntaxError on anything else. */
export function rosUnquote(literal: string): string {
  const n = literal.length;
  if (n < 2 || literal.charCodeAt(0) !== 0x22 || literal.charCodeAt(n - 1) !== 0x22) {
    throw new SyntaxError('rosUnquote: literal must start and end with a double quote');
  }
  // Decoded bytes never exceed the source's UTF-8 size: escapes only shrink.
  const out = Buffer.allocUnsafe(Buffer.byteLength(literal, 'utf8'));
  let o = 0;
  let runStart = 1;
  const end = n - 1;
  let i = 1;
  while (i < end) {
    const c = literal.charCodeAt(i);
    if (c !== 0x5c && c !== 0x22 && c !== 0x0a && c !== 0x0d && c !== 0x24) {
      i++;
      continue;
    }
    if (i > runStart) o += out.write(literal.slice(runStart, i), o, 'utf8');
    if (c === 0x22) throw new SyntaxError(`rosUnquote: unescaped double quote at offset ${i}`);
    // A raw line break would end the command (or join lines after `\`).
    if (c === 0x0a || c === 0x0d) throw new SyntaxError(`rosUnquote: raw line break at offset ${i}`);
    // An unescaped `$` is variable substitution, so the literal has no constant value.
    if (c === 0x24) throw new SyntaxError(`rosUnquote: unescaped $ at offset ${i}`);
    if (i + 1 >= end) throw new SyntaxError(`rosUnquote: dangling backslash at offset ${i}`);
    const e = literal[i + 1]!;
    const named = NAMED_ESCAPES.get(e);
    if (named !== undefined) {
      out[o++] = named;
      i += 2;
    } else {
      const hi = upperHex(literal.charCodeAt(i + 1));
      const lo = i + 2 < end ? upperHex(literal.charCodeAt(i + 2)) : -1;
      if (hi < 0 || lo < 0) {
        throw new SyntaxError(`rosUnquote: invalid escape at offset ${i}`);
      }
      out[o++] = hi * 16 + lo;
      i += 3;
    }
    runStart = i;
  }
  if (end > runStart) o += out.write(literal.slice(runStart, end), o, 'utf8');
  return out.toString('utf8', 0, o);
}
