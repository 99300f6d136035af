import { AppError } from '../errors.js';
import { unstorable } from '../http/text.js';
import { refusedEarly, userUrlPolicy } from '../lib/outbound-url.js';
import type { Deps } from '../runtime.js';
import { wrapperLimitFor } from '../routeros/version.js';
import { payloadByteLength, wrapperOverhead } from '../routeros/wrapper.js';
import { MAX_ATTEMPT } from '../tokens/callback-signature.js';

// The checks a job's script and notify_url pass before it is created (src/jobs/jobs.service.ts):
// no I/O, so job creation can run them before its one statement.

/** What the checks read of a job's input. */
export interface CheckedInput {
  script: string;
  needsAck: boolean;
  backup: boolean;
  notifyUrl: string | null;
  rollbackSeconds?: number | undefined;
  allowEmptyScript?: boolean | undefined;
}

/** Per process (its signer), the wrapper overhead of each set of job options that changes it. */
const overheads = new WeakMap<Deps['signer'], Map<string, number>>();

/**
 * Bytes of the worst-case wrapper of `input` (src/routeros/wrapper.ts): the longest URLs, token
 * and queue count, plus the payload's quoted length. The part besides the payload depends only on
 * the options, so it is rendered once per process and set of options, not once per job.
 */
function wrappedSize(deps: Deps, input: CheckedInput): number {
  // A backup job is always delivered acknowledged (see deliver), with its backup step.
  const needsAck = input.needsAck || input.backup;
  const key = `${needsAck}/${input.backup}/${input.rollbackSeconds ?? ''}`;
  let known = overheads.get(deps.signer);
  if (!known) overheads.set(deps.signer, (known = new Map<string, number>()));
  let overhead = known.get(key);
  if (overhead === undefined) {
    const worstId = '00000000-0000-0000-0000-000000000000';
    const worstUrl = deps.signer.url(worstId, 'busy', MAX_ATTEMPT);
    overhead = wrapperOverhead({
      token: '0'.repeat(22),
      needsAck,
      urls: { busy: worstUrl, done: worstUrl, fail: worstUrl },
      remaining: 999_999_999,
      backup: input.backup ? deps.signer.backupUrls(worstId, MAX_ATTEMPT) : undefined,
      rollback: input.rollbackSeconds === undefined ? undefined : { seconds: input.rollbackSeconds, trust: deps.config.routerTransport },
      verify: deps.config.routerTransport.verify,
    });
    known.set(key, overhead);
  }
  return overhead + payloadByteLength(input.script, false);
}

/**
 * Refuses scripts that cannot travel: NUL bytes, or a wrapped form over the budget of the site's
 * RouterOS version (`major`, from its last heartbeat; null for a site never seen: v7's).
 * Returns the wrapped size.
 */
export function checkScript(deps: Deps, input: CheckedInput, major: number | null): number {
  if (input.script.length === 0 && !input.allowEmptyScript) throw new AppError('parameter_missing', { param: 'script', message: "The 'script' parameter is required for this request." });
  if (unstorable(input.script)) {
    throw new AppError('parameter_invalid', {
      param: 'script',
      message: "The 'script' parameter must be text without NUL bytes or unpaired surrogates.",
    });
  }
  const size = wrappedSize(deps, input);
  const limit = wrapperLimitFor(major, deps.config);
  if (size > limit) {
    throw new AppError('script_too_large', {
      param: 'script',
      message: `The script is ${size - limit} bytes too large once wrapped for delivery (limit ${limit} bytes${major === 6 ? ' on RouterOS v6' : ''}).`,
    });
  }
  return size;
}

/** Refuses, without a DNS lookup, a notify_url no delivery could reach; the real check is at delivery time. */
export function checkNotifyUrl(deps: Deps, url: string | null): void {
  const problem = url === null ? null : refusedEarly(url, userUrlPolicy(deps.config));
  if (problem) {
    throw new AppError('parameter_invalid', { param: 'notify_url', message: `The 'notify_url' parameter is invalid: ${problem}.` });
  }
}

/**
 * checkScript and checkNotifyUrl, remembered in `checked`: rendering the worst-case wrapper is the
 * costly check and its answer depends only on these inputs, so a bulk creation renders it once
 * per RouterOS major version, not once per site.
 */
export function checkOnce(deps: Deps, input: CheckedInput, major: number | null, checked?: Map<string, AppError | null>): void {
  const key = JSON.stringify([major, input.script, input.needsAck, input.backup, input.notifyUrl, input.allowEmptyScript ?? false, input.rollbackSeconds ?? null]);
  let problem = checked?.get(key);
  if (problem === undefined) {
    try {
      checkScript(deps, input, major);
      checkNotifyUrl(deps, input.notifyUrl);
      problem = null;
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      problem = err;
    }
    checked?.set(key, problem);
  }
  if (problem) throw problem;
}

