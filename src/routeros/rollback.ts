// Safe apply with automatic rollback (docs/rollback.md): the pieces of RouterOS code a rollback job
// adds to its wrapper, the confirmation /poll hands out later, and the names they share with the agent.
//
// - The arm step (a rosQuote literal run through `[:parse]`, like the backup step) runs after the
//   backup was stored and before the payload. It saves an on-device binary backup (`/system backup
//   save name=… dont-encrypt=yes`, Backup, help.mikrotik.com/docs/spaces/ROS/pages/40992852) with a
//   one-shot start-up hook in it (a script and a `start-time=startup` scheduler entry that exist only
//   in the saved configuration: added, saved, removed again), then adds the revert entry: a scheduler
//   entry that runs `/system backup load` N seconds later. Loading "Restore[s] and reboot[s]" into the
//   saved configuration (ibid.), so the revert is the whole configuration as it was, not a text
//   `/import` replayed on top of what the payload changed.
// - After such a boot the hook runs (Scheduler: `startup` runs "3 seconds after the console starts",
//   help.mikrotik.com/docs/spaces/ROS/pages/40992881): it makes the router trust tikops again (the
//   installer's trust commands: a backup may not bring certificates back, docs/rollback.md), removes
//   the backup file and leaves the marker file the agent reports as `rolled-back=<token>`.
// - The confirmation removes the revert entry (so nothing fires later) and the backup file, then
//   tells tikops with the signed `confirmed` callback.
import { ROUTER_POLICY } from './policy.js';
import { rosQuote as q } from './quote.js';
import { checkCert, trustCommands, type RouterTrust } from './trust.js';

/** The marker file a restored router leaves for the agent: its content is the job token. */
export const ROLLED_BACK_FILE = 'tikops-rolled-back.txt';

export interface RollbackInput {
  /** Seconds until the router reverts by itself (60-3600). */
  seconds: number;
  /** How the router verifies tikops: the restored router must trust it again. */
  trust: RouterTrust;
}

/** Names on the router for the job `token`: the revert entry and its backup, and the start-up hook. */
export function rollbackNames(token: string): { revert: string; backupFile: string; hook: string } {
  return { revert: `tikops-rollback-${token}`, backupFile: `tikops-rollback-${token}.backup`, hook: `tikops-restored-${token}` };
}

/** The start-up hook's source: runs once on the configuration restored from the rollback backup. */
export function restoreHook(token: string, trust: RouterTrust): string {
  const n = rollbackNames(token);
  return [
    `# tikops: the configuration before job ${token} was restored (docs/rollback.md)`,
    `:do { /system scheduler remove [find where name=${q(n.hook)}] } on-error={}`,
    ...trustCommands(trust),
    `:do { /file remove [find where name=${q(n.backupFile)}] } on-error={}`,
    `:do { /file add name=${q(ROLLED_BACK_FILE)} contents=${q(token)} } on-error={ :log error ${q('tikops: could not leave the rollback marker')} }`,
    `:log warning ${q(`tikops: job ${token} was rolled back to the configuration saved before it`)}`,
    `:do { /system script remove [find where name=${q(n.hook)}] } on-error={}`,
    '',
  ].join('\n');
}

/**
 * The arm step's source (RouterOS v7: it runs only after a stored backup, which needs v7). Returns
 * true once the backup file exists and the revert entry is added; anything less leaves nothing
 * armed (the hook and the revert entry are removed again) and returns false.
 */
export function armStep(token: string, input: RollbackInput): string {
  const n = rollbackNames(token);
  const revert = `/system scheduler remove [find where name=${q(n.revert)}]; /system backup load name=${q(n.backupFile)} password=""`;
  const cleanup = [
    `:do { /system scheduler remove [find where name=${q(n.hook)}] } on-error={}`,
    `:do { /system script remove [find where name=${q(n.hook)}] } on-error={}`,
  ];
  const dropBackup = `:do { /file remove [find where name=${q(n.backupFile)}] } on-error={}`;
  return [
    ...cleanup,
    dropBackup,
    ':local tikopsSaved false',
    ':do {',
    `/system script add name=${q(n.hook)} policy=${ROUTER_POLICY} source=${q(restoreHook(token, input.trust))}`,
    `/system scheduler add name=${q(n.hook)} start-time=startup interval=0s policy=${ROUTER_POLICY} on-event=${q(n.hook)}`,
    `/system backup save name=${q(n.revert)} dont-encrypt=yes`,
    ':set tikopsSaved true',
    '} on-error={}',
    // Whatever happened, the hook leaves the running configuration: it belongs to the backup only.
    ...cleanup,
    `:if ($tikopsSaved && [:len [/file find where name=${q(n.backupFile)}]] = 0) do={ :set tikopsSaved false }`,
    ':local tikopsArmed false',
    // No start time: the first run is one interval after the entry is added (docs/rollback.md).
    `:if ($tikopsSaved) do={ :do { /system scheduler add name=${q(n.revert)} interval=${input.seconds}s policy=${ROUTER_POLICY} on-event=${q(revert)}; :set tikopsArmed true } on-error={} }`,
    `:if (!$tikopsArmed) do={ ${dropBackup} }`,
    ':return $tikopsArmed',
    '',
  ].join('\n');
}

/** What /poll answers while a rollback job waits for its confirmation. */
export interface ConfirmInput {
  token: string;
  /** The signed `confirmed` callback URL. */
  url: string;
  /** Jobs still queued for the site (the agent polls again at once when there are). */
  remaining: number;
  trust: RouterTrust;
}

/**
 * The confirmation: remove the revert entry first (from then on nothing reverts), then the backup
 * file, and report `confirmed` only if no revert entry is left. Ends with the wrapper end marker
 * `end` the agent checks before it runs an answer.
 */
export function renderConfirm(c: ConfirmInput, end: string): string {
  const n = rollbackNames(c.token);
  return [
    `# tikops confirm ${c.token}`,
    ':global tikopsMore',
    `:do { /system scheduler remove [find where name=${q(n.revert)}] } on-error={}`,
    `:do { /file remove [find where name=${q(n.backupFile)}] } on-error={}`,
    `:if ([:len [/system scheduler find where name=${q(n.revert)}]] = 0) do={`,
    `:log info ${q(`tikops: job ${c.token} confirmed; its rollback is disarmed`)}`,
    `:do { /tool fetch url=${q(c.url)} keep-result=no${checkCert(c.trust)} } on-error={ :log warning ${q('tikops: could not report the confirmation; tikops asks again')} }`,
    `} else={ :log error ${q(`tikops: job ${c.token}: the rollback entry could not be removed`)} }`,
    `:set tikopsMore ${c.remaining}`,
    end,
  ].join('\n');
}
