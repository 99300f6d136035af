// RouterOS strings are byte strings. Inside the interpreter a string value is a
// "binary string": one JS char per byte (0..255), so :len, :pick and :find count
// bytes exactly like a router does and never split a code point lossily. Text
// crosses into JS (fetch, log, state, output) through these two helpers.
import { Buffer } from 'node:buffer';

const NON_ASCII_RE = /[\u0080-\uffff]/;

/** JS text → binary string of its UTF-8 bytes. */
export function toBin(text: string): string {
  return !NON_ASCII_RE.test(text) ? text : Buffer.from(text, 'utf8').toString('latin1');
}

/** Binary string of UTF-8 bytes → JS text (invalid sequences become U+FFFD). */
export function fromBin(bin: string): string {
  return !NON_ASCII_RE.test(bin) ? bin : Buffer.from(bin, 'latin1').toString('utf8');
}
