// Pure renderers of the router agent (docs/onboarding.md) and its installer and remover.
//
// The agent is a named script, `tikops-poll`, run by two scheduler entries (every interval, and
// once 20 s after boot; Scheduler, help.mikrotik.com/docs/spaces/ROS/pages/40992881). Each run: take the lock (a global uptime stamp with a
// 15-minute TTL, so a crashed run cannot block forever), build the heartbeat with percent-encoded
// values, POST /poll, run the answer only if it ends with the job wrapper's end marker (a 64 KB
// `output=user` truncation must never run half a script), and repeat while the wrapper reports
// more queued jobs (`tikopsMore`, at most 10 rounds). Every server value (URL, token, names) is a
// rosQuote literal, and the whole agent is one more rosQuote literal in `source=`.
import { WRAPPER_END } from './wrapper.js';
import { ENCODER_FN, factLines } from './facts-script.js';
import { rosQuote as q } from './quote.js';
import type { ScriptDialect } from './version.js';
import { checkCert, ntpCommands, trustCommands, type RouterTrust } from './trust.js';
import { AGENT_NAME, LAST_JOB_STORE, LOCK_STORE, ROUTER_POLICY } from './policy.js';
import { ROLLED_BACK_FILE } from './rollback.js';

export { AGENT_NAME };
export const BOOT_NAME = 'tikops-boot';
export const MAX_ROUNDS = 10;
const LOCK_TTL = '15m';
/** Every global the agent and the wrappers use or used (removal unsets them all; tikopsLock is left by agents from before the shared lock). */
export const GLOBALS = ['tikopsLock', 'tikopsMore', 'tikopsLast'] as const;
const POLICY = ROUTER_POLICY;

export interface AgentInput {
  siteId: string;
  /** The site's device token, sent as `Authorization: Bearer`. */
  token: string;
  publicUrl: string;
  dialect: ScriptDialect;
  /** Whether and how the router verifies tikops (src/routeros/trust.ts). */
  trust: RouterTrust;
}

const header = (token: string): string => `Authorization: Bearer ${token},Content-Type: text/plain`;

/**
 * `:do {} on-error={}`, which parses on every supported version. The stored agent never uses
 * `:onerror` (7.15+): a router downgraded below 7.15 would fail to parse the whole script and
 * be left with a dead agent. The error itself is not available to `on-error`; fetch failures are
 * in the router's own log.
 */
function guard(_d: ScriptDialect, body: string[], what: string, level: 'warning' | 'error'): string[] {
  return [':do {', ...body, `} on-error={ :log ${level} ${q(`tikops: ${what}`)} }`];
}

function pollRound(d: ScriptDialect, cc: string): string[] {
  const endLen = Buffer.byteLength(WRAPPER_END);
  return [
    `:while ($tikopsMore > 0 && $tkRounds < ${MAX_ROUNDS}) do={`,
    ':set tikopsMore 0',
    ':set tkRounds ($tkRounds + 1)',
    ':local tkLast ""',
    `:do { :set tkLast [${LAST_JOB_STORE} get [find where name=${q(AGENT_NAME)}] comment] } on-error={}`,
    `:local tkBody ($tkHb . ${q('clock=')} . $tkClock . ${q(';uptime=')} . [/system resource get uptime] . ${q(';last-job=')} . [$tkEnc $tkLast] . ${q(';rolled-back=')} . [$tkEnc $tkRb])`,
    ':local tkRes',
    ...guard(
      d,
      [`:set tkRes [/tool fetch url=$tkUrl http-method=post http-header-field=$tkHdr http-data=$tkBody output=user as-value${cc}]`],
      'poll request failed',
      'warning',
    ),
    `:if ([:typeof $tkRes] = ${q('array')}) do={`,
    `:local tkData ($tkRes->${q('data')})`,
    ':local tkLen [:len $tkData]',
    // tikops has heard the rollback report (it answered): the marker has done its job.
    `:if (($tkRes->${q('status')}) = ${q('finished')} && $tkRb != ${q('')}) do={ :do { /file remove [find where name=${q(ROLLED_BACK_FILE)}] } on-error={}; :set tkRb ${q('')} }`,
    `:if (($tkRes->${q('status')}) = ${q('finished')} && $tkLen > ${endLen}) do={`,
    `:if ([:pick $tkData ($tkLen - ${endLen}) $tkLen] = ${q(WRAPPER_END)}) do={`,
    ...guard(d, [':local tkFn [:parse $tkData]', '$tkFn'], 'job script failed', 'error'),
    `} else={ :log error ${q('tikops: response truncated or malformed, ignored')} }`,
    '}',
    '}',
    '}',
  ];
}

/**
 * Sets `tkClock` to "unset" while the router's date is still 1970 (no battery clock, NTP not
 * answered yet; Clock, help.mikrotik.com/docs/spaces/ROS/pages/40992866), else "set", and
 * `tikopsMore` to 1 to poll. A verifying router with an unset clock cannot validate any
 * certificate, so it says so in its log and skips the poll instead of failing it unexplained; a
 * router that does not verify reports `clock=unset` in the heartbeat.
 */
function clockCheck(t: RouterTrust): string[] {
  return [
    `:local tkClock ${q('set')}`,
    `:do { :if ([:typeof [:find [/system clock get date] ${q('1970')}]] = ${q('num')}) do={ :set tkClock ${q('unset')} } } on-error={}`,
    ':set tikopsMore 1',
    ...(t.verify
      ? [`:if ($tkClock = ${q('unset')}) do={ :set tikopsMore 0; :log error ${q('tikops: clock-unset: the clock is not set (NTP has not answered), so tikops cannot be verified; poll skipped')} }`]
      : []),
  ];
}

const RELEASE_LOCK = `:do { ${LOCK_STORE} set [find where name=${q(AGENT_NAME)}] comment=${q('')} } on-error={}`;

/** The source of the `tikops-poll` script. */
export function renderAgent(input: AgentInput): string {
  const d = input.dialect;
  return [
    `# tikops agent (${d}) for site ${input.siteId}; installed by adoption, do not edit.`,
    ':global tikopsMore',
    ':local tkNow [/system resource get uptime]',
    ':local tkBusy false',
    // The lock is shared by every user's run (policy.ts, LOCK_STORE): the uptime at which a run
    // took it, valid for LOCK_TTL and never across a reboot (uptime went backwards).
    ':local tkHeld ""',
    `:do { :set tkHeld [${LOCK_STORE} get [find where name=${q(AGENT_NAME)}] comment] } on-error={}`,
    `:if ([:len $tkHeld] > 0) do={ :do { :local tkAge ($tkNow - [:totime $tkHeld]); :if ($tkAge >= 0s && $tkAge < ${LOCK_TTL}) do={ :set tkBusy true } } on-error={} }`,
    ':if ($tkBusy) do={',
    `:log warning ${q('tikops: previous poll still running')}`,
    '} else={',
    `:do { ${LOCK_STORE} set [find where name=${q(AGENT_NAME)}] comment=[:tostr $tkNow] } on-error={}`,
    `:local tkUrl ${q(`${input.publicUrl}/poll`)}`,
    `:local tkHdr ${q(header(input.token))}`,
    ENCODER_FN,
    `:local tkHb ${q('')}`,
    ...factLines(d),
    ...clockCheck(input.trust),
    // The marker a configuration restored by a rollback job leaves (src/routeros/rollback.ts):
    // reported as rolled-back=<job token> until tikops has answered a poll carrying it.
    ':local tkRb ""',
    `:do { :set tkRb [/file get [find where name=${q(ROLLED_BACK_FILE)}] contents] } on-error={}`,
    ':local tkRounds 0',
    ...pollRound(d, checkCert(input.trust)),
    RELEASE_LOCK,
    '}',
    '',
  ].join('\n');
}

/** A `/system scheduler add` line; `onEvent` is code, so it is a literal like any other value. */
export function schedulerAdd(name: string, onEvent: string, timing: string): string {
  return `/system scheduler add name=${q(name)} ${timing} policy=${POLICY} on-event=${q(onEvent)}`;
}

const removeNamed = (menu: string, name: string): string =>
  `:do { /system ${menu} remove [find where name=${q(name)}] } on-error={}`;

/** Declares and unsets every tikops global of the user running it (globals are per user). */
const unsetGlobals = (): string[] => GLOBALS.flatMap((g) => [`:global ${g}`, `:set ${g}`]);

const removeAgentLines = (): string[] => [
  removeNamed('scheduler', AGENT_NAME),
  removeNamed('scheduler', BOOT_NAME),
  removeNamed('script', AGENT_NAME),
];

export interface InstallInput extends AgentInput {
  /** RouterOS major version (v6 and v7 configure NTP differently). */
  major: number;
  ntpServers: readonly string[];
  intervalSeconds: number;
  /** Shown on the terminal: the site's name and the runbook's. */
  siteName: string;
  runbookName: string;
}

/** The adoption answer: replaces any earlier agent, installs this one, and checks in once. */
export function renderInstall(input: InstallInput): string {
  const run = `/system script run ${AGENT_NAME}`;
  const done = `tikops: site "${input.siteName}" (${input.siteId}) adopted using runbook "${input.runbookName}".`;
  return [
    `# tikops: install the agent of site ${input.siteId} (${input.dialect})`,
    ...trustCommands(input.trust),
    ...ntpCommands(input.trust, input.major, input.ntpServers),
    ...removeAgentLines(),
    // dont-require-permissions: an express trigger runs the agent as the REST user, which holds
    // only read and rest-api (docs/express-execute.md, "Why dont-require-permissions").
    `/system script add name=${q(AGENT_NAME)} policy=${POLICY} dont-require-permissions=yes source=${q(renderAgent(input))}`,
    // start-time=startup anchors the interval at boot, not at the wall clock, which a router
    // without a battery clock does not know yet (Scheduler, help.mikrotik.com/docs/spaces/ROS/pages/40992881).
    schedulerAdd(AGENT_NAME, run, `start-time=startup interval=${input.intervalSeconds}s`),
    // A second entry for boot: one entry with both start-time=startup and an interval is documented
    // not to run at startup. The delay lets DHCP and DNS come up first. No run survives a reboot, so
    // it frees the lock first: a run cut off by the reboot left its uptime stamp, which the new
    // uptime would otherwise pass and take for a live run's for up to LOCK_TTL.
    schedulerAdd(BOOT_NAME, `:delay 20s; ${RELEASE_LOCK}; ${run}`, 'start-time=startup interval=0s'),
    `:log info ${q(done)}`,
    `:put ${q(done)}`,
    // In the background (`:execute` without as-string returns at once, Scripting,
    // help.mikrotik.com/docs/spaces/ROS/pages/47579229): the first check-in, and any job it runs,
    // must not hold or break the operator's import session.
    `:execute script=${q(run)}`,
    '',
  ].join('\n');
}

export interface RemovalInput {
  siteId: string;
  publicUrl: string;
  trust: RouterTrust;
}

/**
 * The payload of a site's removal job: confirm with POST /notify/delete first (the agent is gone
 * afterwards, so nothing could confirm later), then remove the agent, but only if the installed
 * one is still this site's (a re-adopted router has a new one that must survive). The job is
 * stored like any other, so it carries no credential: it takes the `Authorization` header out of
 * the installed agent's own source (`tkHdr`, written by renderAgent), the only place the device
 * token lives on the router.
 */
export function renderRemoval(input: RemovalInput): string {
  return [
    `# tikops: remove the agent of site ${input.siteId}`,
    ':local tkSrc ""',
    `:do { :set tkSrc [/system script get [find where name=${q(AGENT_NAME)}] source] } on-error={}`,
    `:if ([:typeof [:find $tkSrc ${q(input.siteId)}]] = ${q('num')}) do={`,
    `:local tkAt [:find $tkSrc ${q('Authorization: Bearer ')}]`,
    `:local tkHdr [:pick $tkSrc $tkAt [:find $tkSrc ${q('"')} $tkAt]]`,
    `:do { /tool fetch url=${q(`${input.publicUrl}/notify/delete`)} http-method=post http-header-field=$tkHdr ` +
      `http-data=${q(`site=${input.siteId}`)} keep-result=no${checkCert(input.trust)} } on-error={ :log warning ${q('tikops: could not confirm the removal; tikops purges the site after its grace period')} }`,
    ...removeAgentLines(),
    // This runs inside a job wrapper, which sets tikopsMore and tikopsLast after the payload, and
    // the agent then clears its lock: unset them all once that run is over, in the background as
    // the same user (globals are per user).
    `:execute script=${q([':delay 5s', ...unsetGlobals()].join('; '))}`,
    `:log info ${q('tikops: agent removed; this router is no longer managed by tikops')}`,
    '}',
  ].join('\n');
}
