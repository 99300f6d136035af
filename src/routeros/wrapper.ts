// Renders the per-job wrapper script returned by /poll (ARCHITECTURE.md, "The job pipeline").
//
// Invariants the router side relies on:
// - the payload is only ever data inside one rosQuote literal, executed through
//   `[:parse ...]` and then called, so no payload text can break out of the
//   wrapper's blocks, swallow wrapper lines via comments or `\` continuation, or
//   turn a payload syntax error into an unparseable response;
// - every other server value is a rosQuote literal too (src/routeros/quote.ts);
// - LF only, comments only at column 0, space-separated command paths (v6 + v7);
// - the body ends with "\n# tikops-end\n", which the agent checks before parsing
//   so a truncated response (fetch output=user caps at 64 KB) never runs (Fetch, help.mikrotik.com/docs/spaces/ROS/pages/8978514);
// - with a backup step (docs/backups.md), the payload runs only after the claim
//   succeeded AND the server answered the backup commit with "stored";
// - with output capture (RouterOS 7.15+, chosen at delivery from the site's reported version),
//   the payload's literal sits inside the literal of the script `:execute … as-string` runs
//   (execSource), still only data, and the capture step itself is a parsed literal too.
import { rosQuote, rosQuotedLength, rosQuotedTwiceLength } from './quote.js';
import type { BackupUrls } from '../tokens/callback-signature.js';
import { armStep, type RollbackInput } from './rollback.js';
import { AGENT_NAME, LAST_JOB_STORE } from './policy.js';

/**
 * Records the job's outcome for the agent's `last-job` report: in the per-user global (read by
 * agents installed before the shared store) and in the shared store every user's run sees.
 */
const setLast = (outcome: 'ok' | 'fail'): string =>
  `:set tikopsLast ($tikopsJob . ":${outcome}")\n` +
  `:do { ${LAST_JOB_STORE} set [find where name=${rosQuote(AGENT_NAME)}] comment=($tikopsJob . ":${outcome}") } on-error={}\n`;

export interface WrapperInput {
  /** Job token (22-char base62). */
  token: string;
  needsAck: boolean;
  /** Absolute signed callback URLs (may contain ? & = % etc.). */
  urls: { busy: string; done: string; fail: string };
  /** The user's payload, verbatim. */
  script: string;
  /** Jobs still queued for the site after this one. */
  remaining: number;
  /** Signed backup upload URLs: export and upload the configuration before the payload (needs needsAck). */
  backup?: BackupUrls | undefined;
  /**
   * Capture what the payload prints and its error message, and POST them with done/fail (needs
   * needsAck; RouterOS 7.15+ only: `:execute … as-string` and `:onerror`). `marker` is a random
   * token that ends the captured output with the outcome; `maxBytes` the most output sent.
   */
  capture?: { marker: string; maxBytes: number } | undefined;
  /**
   * Safe apply (docs/rollback.md; needs `backup`): after the backup is stored, save an on-device
   * backup and arm its revert before the payload runs; a step that cannot arm fails the job unrun.
   */
  rollback?: RollbackInput | undefined;
  /** Every fetch verifies tikops' certificate (an https PUBLIC_URL, src/routeros/trust.ts); callers in src always set it. */
  verify?: boolean | undefined;
}

/** Bytes of the export sent per POST: under /tool fetch's 64 KB http-data limit with room to spare. */
export const BACKUP_CHUNK_BYTES = 32_000;

// The backup step: RouterOS v7 source, shipped as data in one rosQuote literal and run through
// `[:parse]` like the payload. A router that cannot parse or run it (v6 has no `:execute …
// as-string` and no `show-sensitive`) therefore fails the step, not the whole wrapper. Called
// with tikopsP (part URL) and tikopsC (commit URL); returns the commit's body, "stored" on success.
// `:pick` cuts bytes, so a multibyte character may straddle two parts: the server joins bytes.
export function backupStep(verify: boolean): string {
  const cc = verify ? ' check-certificate=yes-without-crl' : '';
  return [
    ':local tikopsCfg [:execute script="/export terse show-sensitive" as-string]',
    ':local tikopsLen [:len $tikopsCfg]',
    ':if ($tikopsLen = 0) do={ :return "empty" }',
    // The same export written to a file (Configuration Management 328155: `file=`): its size is
    // what the router really exported, so an in-memory copy cut short anywhere is never uploaded
    // as a whole backup. The file is removed at once, whatever happens next.
    ':local tikopsF ("tikops-backup-" . $tikopsK . ".rsc")',
    '/export terse show-sensitive file=$tikopsF',
    ':local tikopsSize -1',
    ':do { :set tikopsSize [/file get $tikopsF size] } on-error={}',
    ':do { /file remove [find where name=$tikopsF] } on-error={}',
    ':if ($tikopsSize != $tikopsLen) do={ :return "truncated" }',
    ':local tikopsN 0',
    `:for tikopsI from=0 to=($tikopsLen - 1) step=${BACKUP_CHUNK_BYTES} do={`,
    `/tool fetch url=($tikopsP . "&part=" . $tikopsN) http-method=post http-data=[:pick $tikopsCfg $tikopsI ($tikopsI + ${BACKUP_CHUNK_BYTES})] output=none${cc}`,
    ':set tikopsN ($tikopsN + 1)',
    '}',
    `:local tikopsR [/tool fetch url=($tikopsC . "&parts=" . $tikopsN . "&length=" . $tikopsLen) http-method=post output=user as-value${cc}]`,
    ':return ($tikopsR->"data")',
    '',
  ].join('\n');
}

/** Most output bytes a wrapper sends: with the error text, under /tool fetch's 64Kb http-data limit. */
export const OUTPUT_WIRE_MAX_BYTES = 60_000;
/** Most error-message bytes a wrapper sends. */
export const ERROR_WIRE_MAX_BYTES = 1_024;

// The capture step: RouterOS 7.15+ source, shipped as data in one rosQuote literal and run through
// `[:parse]` (like the backup step), called with tikopsX (the source to execute, see execSource)
// and tikopsM (the marker). `:execute … as-string` runs it and returns what it printed ("When using
// the as-string parameter executed script is blocked", Scripting, help.mikrotik.com/docs/spaces/
// ROS/pages/47579229); the marker line it prints last says how the payload ended. Returns
// {ok; out; err}. Byte positions: `:find`, `:pick` and `:len` count bytes.
export const CAPTURE_STEP = [
  ':local tikopsO [:execute script=$tikopsX as-string]',
  ':local tikopsP [:find $tikopsO $tikopsM]',
  ':if ([:typeof $tikopsP] != "num") do={ :return {"ok"=false;"out"=$tikopsO;"err"="the payload reported no outcome"} }',
  ':local tikopsS [:pick $tikopsO ($tikopsP + [:len $tikopsM]) [:len $tikopsO]]',
  ':local tikopsOut [:pick $tikopsO 0 $tikopsP]',
  ':if ([:pick $tikopsS 0 2] = "ok") do={ :return {"ok"=true;"out"=$tikopsOut;"err"=""} }',
  ':return {"ok"=false;"out"=$tikopsOut;"err"=[:pick $tikopsS 5 [:len $tikopsS]]}',
  '',
].join('\n');

/**
 * The script the capture step executes: the payload (parsed from its literal, so a syntax error
 * is caught too) inside `:onerror` ("The 'error' parameter must be set before 'do' block",
 * Scripting 47579229), then the marker with `ok`, or with `fail:` and the error message.
 */
export function execSource(script: string, marker: string): string {
  return [
    ':onerror tikopsE in={',
    `:local tikopsF [:parse ${rosQuote(script)}]`,
    '$tikopsF',
    `:put ${rosQuote(`${marker}ok`)}`,
    '} do={',
    `:put (${rosQuote(`${marker}fail:`)} . $tikopsE)`,
    '}',
    '',
  ].join('\n');
}

export const WRAPPER_END = '# tikops-end\n';

// The token is also written raw into the leading comment, so it must be inert
// there. Base62 is what we issue; `_`/`-` are tolerated for base64url tokens.
const TOKEN_RE = /^[A-Za-z0-9_-]{1,64}$/;

// A piece is either fixed ASCII wrapper text or a value to emit via rosQuote.
// Both renderWrapper and wrapperByteLength walk the same layout, so the cheap
// length can never drift from the real output.
type Piece = string | { readonly quote: string };

function validate(input: WrapperInput): void {
  if (!TOKEN_RE.test(input.token)) {
    throw new RangeError('renderWrapper: token must be 1-64 characters of [A-Za-z0-9_-]');
  }
  if (!Number.isSafeInteger(input.remaining) || input.remaining < 0) {
    throw new RangeError(`renderWrapper: remaining must be a non-negative integer, got ${String(input.remaining)}`);
  }
  // Without the claim and the callbacks nobody would learn that the backup failed.
  if (input.backup && !input.needsAck) throw new RangeError('renderWrapper: a backup step needs needsAck');
  if (input.rollback && !input.backup) throw new RangeError('renderWrapper: a rollback needs the backup step');
  const s = input.rollback?.seconds;
  if (s !== undefined && (!Number.isSafeInteger(s) || s < 60 || s > 3_600)) throw new RangeError('renderWrapper: rollback seconds must be 60-3600');
  const c = input.capture;
  if (c) {
    if (!input.needsAck) throw new RangeError('renderWrapper: output capture needs needsAck');
    if (!/^[A-Za-z0-9]{8,64}$/.test(c.marker)) throw new RangeError('renderWrapper: the capture marker must be 8-64 letters and digits');
    if (!Number.isSafeInteger(c.maxBytes) || c.maxBytes < 1 || c.maxBytes > OUTPUT_WIRE_MAX_BYTES) {
      throw new RangeError(`renderWrapper: capture maxBytes must be 1-${OUTPUT_WIRE_MAX_BYTES}`);
    }
  }
}

// Runs the payload through the capture step and reports its outcome with what it printed: POST
// done|fail with `outlen` (bytes printed) and `errlen` (bytes of error text at the start of the
// body), the body being the error text and then the output, cut to `maxBytes`. If the step cannot
// be parsed or run, the job fails with that said (the payload may not have run, or not to its end).
function captureAndReport(maxBytes: number, cc: string): string {
  return (
    ':local tikopsOk false\n' +
    ':local tikopsOut ""\n' +
    ':local tikopsErr "tikops: the output capture step failed"\n' +
    ':do {\n' +
    ':local tikopsCapFn [:parse $tikopsCapSrc]\n' +
    ':local tikopsR [$tikopsCapFn tikopsX=$tikopsExec tikopsM=$tikopsMark]\n' +
    ':set tikopsOk ($tikopsR->"ok")\n' +
    ':set tikopsOut ($tikopsR->"out")\n' +
    ':set tikopsErr ($tikopsR->"err")\n' +
    '} on-error={}\n' +
    ':local tikopsLen [:len $tikopsOut]\n' +
    `:if ($tikopsLen > ${maxBytes}) do={ :set tikopsOut [:pick $tikopsOut 0 ${maxBytes}] }\n` +
    `:if ([:len $tikopsErr] > ${ERROR_WIRE_MAX_BYTES}) do={ :set tikopsErr [:pick $tikopsErr 0 ${ERROR_WIRE_MAX_BYTES}] }\n` +
    ':local tikopsQ ("&outlen=" . $tikopsLen . "&errlen=" . [:len $tikopsErr])\n' +
    ':if ($tikopsOk) do={\n' +
    setLast('ok') +
    `:do { /tool fetch url=($tikopsDone . $tikopsQ) http-method=post http-data=($tikopsErr . $tikopsOut) output=none${cc} } on-error={}\n` +
    '} else={\n' +
    setLast('fail') +
    `:do { /tool fetch url=($tikopsFail . $tikopsQ) http-method=post http-data=($tikopsErr . $tikopsOut) output=none${cc} } on-error={}\n` +
    '}\n'
  );
}

// Runs the payload and reports its outcome (the body of the claimed, and backed-up, branch).
const runAndReport = (cc: string): string =>
  ':local tikopsOk false\n' +
  // Parse and run inside one handler: both syntax and runtime errors → fail.
  ':do {\n' +
  ':local tikopsFn [:parse $tikopsSrc]\n' +
  '$tikopsFn\n' +
  ':set tikopsOk true\n' +
  '} on-error={}\n' +
  ':if ($tikopsOk) do={\n' +
  // tikopsLast is set before the callback so a lost callback can be
  // reconciled from the next heartbeat's last-job field.
  setLast('ok') +
  `:do { /tool fetch url=$tikopsDone keep-result=no${cc} } on-error={}\n` +
  '} else={\n' +
  setLast('fail') +
  `:do { /tool fetch url=$tikopsFail keep-result=no${cc} } on-error={}\n` +
  '}\n';

// Safe apply: arm the rollback (save the on-device backup, add the revert entry), then run; a step
// that did not arm fails the job with reason=rollback and the payload never runs unprotected.
const armThenRun = (run: string, cc: string): string =>
  ':local tikopsArmed false\n' +
  ':do {\n' +
  ':local tikopsRbFn [:parse $tikopsRbSrc]\n' +
  ':set tikopsArmed [$tikopsRbFn]\n' +
  '} on-error={}\n' +
  ':if ($tikopsArmed = true) do={\n' +
  run +
  '} else={\n' +
  setLast('fail') +
  ':log warning ("tikops: job " . $tikopsJob . " could not arm its rollback; payload not run")\n' +
  `:do { /tool fetch url=($tikopsFail . "&reason=rollback") keep-result=no${cc} } on-error={}\n` +
  '}\n';

// Backup, then run only if the server said "stored"; otherwise fail with reason=backup (an
// unsigned hint: the fail URL's signature already allows failing this delivery, nothing more).
const backupThenRun = (run: string, cc: string): string =>
  ':local tikopsBacked false\n' +
  ':do {\n' +
  ':local tikopsBkFn [:parse $tikopsBkSrc]\n' +
  ':local tikopsBk [$tikopsBkFn tikopsP=$tikopsPart tikopsC=$tikopsCommit tikopsK=$tikopsJob]\n' +
  ':if ($tikopsBk = "stored") do={ :set tikopsBacked true }\n' +
  '} on-error={}\n' +
  ':if ($tikopsBacked) do={\n' +
  run +
  '} else={\n' +
  setLast('fail') +
  ':log warning ("tikops: job " . $tikopsJob . " backup failed; payload not run")\n' +
  `:do { /tool fetch url=($tikopsFail . "&reason=backup") keep-result=no${cc} } on-error={}\n` +
  '}\n';

function backupLocals(input: WrapperInput, verify: boolean): Piece[] {
  const backup = input.backup;
  if (!backup) return [];
  return [
    '\n:local tikopsPart ',
    { quote: backup.part },
    '\n:local tikopsCommit ',
    { quote: backup.commit },
    '\n:local tikopsBkSrc ',
    { quote: backupStep(verify) },
    ...(input.rollback ? ['\n:local tikopsRbSrc ', { quote: armStep(input.token, input.rollback) }] : []),
  ];
}

/** The payload's locals: its literal, or with capture the source to execute and the capture step. */
function payloadLocals(input: WrapperInput): Piece[] {
  if (!input.capture) return ['\n:local tikopsSrc ', { quote: input.script }];
  return [
    '\n:local tikopsMark ',
    { quote: input.capture.marker },
    '\n:local tikopsCapSrc ',
    { quote: CAPTURE_STEP },
    '\n:local tikopsExec ',
    { quote: execSource(input.script, input.capture.marker) },
  ];
}

function layout(input: WrapperInput): Piece[] {
  validate(input);
  const remaining = String(input.remaining);
  const finished = `:log info ("Job " . $tikopsJob . " finished. Remaining: ${remaining}")\n`;

  if (!input.needsAck) {
    // Fire-and-forget: the job was completed at hand-out, so there is nothing to
    // claim or report, and tikopsLast stays untouched to keep the agent's
    // last-job reconciliation about acknowledged jobs only.
    return [
      `# tikops job ${input.token}\n:global tikopsMore\n:local tikopsJob `,
      { quote: input.token },
      '\n:local tikopsSrc ',
      { quote: input.script },
      '\n' +
        ':do {\n' +
        ':local tikopsFn [:parse $tikopsSrc]\n' +
        '$tikopsFn\n' +
        '} on-error={ :log error ("tikops: job " . $tikopsJob . " failed") }\n' +
        `:set tikopsMore ${remaining}\n` +
        finished +
        WRAPPER_END,
    ];
  }

  const cc = input.verify === true ? ' check-certificate=yes-without-crl' : '';
  const run = input.capture ? captureAndReport(input.capture.maxBytes, cc) : runAndReport(cc);
  return [
    `# tikops job ${input.token}\n:global tikopsMore\n:global tikopsLast\n:local tikopsJob `,
    { quote: input.token },
    '\n:local tikopsBusy ',
    { quote: input.urls.busy },
    '\n:local tikopsDone ',
    { quote: input.urls.done },
    '\n:local tikopsFail ',
    { quote: input.urls.fail },
    ...backupLocals(input, input.verify === true),
    ...payloadLocals(input),
    '\n' +
      // The busy call doubles as a claim: only a 200 "claimed" body means the server
      // accepted this delivery. Anything else (timeout, non-2xx, stale/duplicate
      // delivery) skips the payload, because running a non-idempotent job the
      // server does not know is running is worse than not running it.
      ':local tikopsClaim false\n' +
      ':do {\n' +
      `:local tikopsAck [/tool fetch url=$tikopsBusy output=user as-value${cc}]\n` +
      ':if (($tikopsAck->"data") = "claimed") do={ :set tikopsClaim true }\n' +
      '} on-error={}\n' +
      ':if ($tikopsClaim) do={\n' +
      (input.backup ? backupThenRun(input.rollback ? armThenRun(run, cc) : run, cc) : run) +
      `:set tikopsMore ${remaining}\n` +
      finished +
      '} else={\n' +
      ':log warning ("tikops: job " . $tikopsJob . " was not claimed; payload not run")\n' +
      // Stop draining: if the claim failed the server is likely unreachable or
      // disagrees about state, and the next scheduled poll will retry cleanly.
      ':set tikopsMore 0\n' +
      '}\n' +
      WRAPPER_END,
  ];
}

/** Renders the RouterOS wrapper for one job; throws RangeError on an invalid token/remaining or a NUL in any value. */
export function renderWrapper(input: WrapperInput): string {
  let out = '';
  for (const piece of layout(input)) out += typeof piece === 'string' ? piece : rosQuote(piece.quote);
  return out;
}

/** Byte length of renderWrapper(input) without building the payload literal; same validation and errors. */
export function wrapperByteLength(input: WrapperInput): number {
  let len = 0;
  // Fixed pieces are ASCII (token validated), so string length equals byte length.
  for (const piece of layout(input)) len += typeof piece === 'string' ? piece.length : rosQuotedLength(piece.quote);
  return len;
}

/**
 * The payload's bytes in the wrapper: its literal, or with output capture that literal quoted
 * once more inside execSource's. Everything else in the wrapper does not depend on the script.
 */
export function payloadByteLength(script: string, capture: boolean): number {
  return capture ? rosQuotedTwiceLength(script) : rosQuotedLength(script);
}

/**
 * The wrapper's bytes besides the payload, for `input`'s options (its script is ignored):
 * renderWrapper(input).length = wrapperOverhead(input) + payloadByteLength(input.script, capture).
 * Depends on nothing but the options, so job creation computes it once per set of options.
 */
export function wrapperOverhead(input: Omit<WrapperInput, 'script'>): number {
  const capture = input.capture !== undefined;
  return wrapperByteLength({ ...input, script: '' }) - payloadByteLength('', capture);
}
