import { z } from 'zod';
import { AppError } from '../errors.js';

// The one rule for text that people type and other people read (names, descriptions, user names,
// PEMs, the org claim): no NUL, no lone UTF-16 surrogates, no C0/C1 control characters (tab, line
// feed and carriage return only where a field is `multiline`) and no bidirectional overrides or
// isolates, which make text display as something other than what it is (CVE-2021-42574).

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;
// eslint-disable-next-line no-control-regex
const CONTROL_EXCEPT_LINES = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const BIDI = /[\u202A-\u202E\u2066-\u2069]/;

/** What is wrong with `value` under the text rule, or null. */
export function textProblem(value: string, opts: { multiline?: boolean } = {}): string | null {
  if (LONE_SURROGATE.test(value)) return 'expected text without unpaired surrogates';
  if ((opts.multiline ? CONTROL_EXCEPT_LINES : CONTROL).test(value)) {
    return opts.multiline ? 'expected no control characters other than tab and line breaks' : 'expected no control characters';
  }
  if (BIDI.test(value)) return 'expected no bidirectional override characters';
  return null;
}

/** True if `value` has NUL bytes or unpaired surrogates, which no stored text may hold (scripts included). */
export function unstorable(value: string): boolean {
  return value.includes('\0') || LONE_SURROGATE.test(value);
}

/** A string schema under the text rule; chain length checks and the like after it. */
export function text(opts: { multiline?: boolean } = {}): z.ZodString {
  return z.string().superRefine((v, ctx) => {
    const problem = textProblem(v, opts);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Request headers as UTF-8: Node hands header values over as latin-1 (one character per byte), so
 * "Café" sent as UTF-8 would arrive as "CafÃ©". Values are re-read as UTF-8, strictly: bytes
 * that are not UTF-8 are a 400 naming the header, never mojibake in a stored description.
 */
export function utf8Headers(headers: Record<string, string | string[] | undefined>): Record<string, string | string[] | undefined> {
  const out: Record<string, string | string[] | undefined> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string' || !/[\u0080-\u00ff]/.test(value)) {
      out[name] = value;
      continue;
    }
    try {
      out[name] = UTF8.decode(Buffer.from(value, 'latin1'));
    } catch {
      throw new AppError('parameter_invalid', { param: `header.${name}`, message: `The 'header.${name}' parameter is invalid: expected UTF-8 text.` });
    }
  }
  return out;
}
