// The two stages of onboarding a router with a runbook (docs/onboarding.md):
//  1. the operator pastes `bootstrapCommand` into the router's terminal; it downloads
//     `renderBootstrap` from GET /bootstrap/<token> and imports it;
//  2. that script gathers the router's facts, POSTs them to /adopt/<token>, saves the answer
//     (the agent installer, src/adoption/agent.ts) to a file and imports it.
// Files rather than `output=user`, because v6's in-memory fetch limit is unverified (4 KB?) and
// the installer is bigger than that. Every literal is built with rosQuote.
import { AGENT_NAME } from './agent.js';
import { ENCODER_FN, factLines } from './facts-script.js';
import { rosQuote as q } from './quote.js';
import { checkCert, trustCommands, type RouterTrust } from './trust.js';

export const BOOTSTRAP_FILE = 'tikops-bootstrap.rsc';
export const ADOPT_FILE = 'tikops-adopt.rsc';

/**
 * The one line an operator pastes into a RouterOS v6 or v7 terminal to adopt the router. Over
 * https it first makes the router trust tikops (src/routeros/trust.ts), since even this first
 * download is verified: the operator's paste is the one channel an attacker cannot answer.
 */
export function bootstrapCommand(publicUrl: string, token: string, trust: RouterTrust): string {
  return [
    ...trustCommands(trust),
    `/tool fetch url=${q(`${publicUrl}/bootstrap/${token}`)} dst-path=${q(BOOTSTRAP_FILE)}${checkCert(trust)}`,
    `/import file-name=${q(BOOTSTRAP_FILE)}`,
  ].join('; ');
}

// Device-mode (7.17+, home routers) can turn the scheduler or fetch off, and a flagged
// configuration refuses new scheduler entries; only a button press (or a device-mode update)
// clears either, so stop with instructions before the installer removes anything (Device-mode,
// help.mikrotik.com/docs/spaces/ROS/pages/93749258). Read through `:parse`: v6 has no device-mode.
const dmIs = (prop: string, bad: string, why: string): string =>
  `:do { :local tkF [:parse ${q(`:return [/system device-mode get ${prop}]`)}]; ` +
  `:if ([:tostr [$tkF]] = ${q(bad)}) do={ :set tkDm ${q(why)} } } on-error={}`;
const DEVICE_MODE_CHECK = [
  `:local tkDm ${q('')}`,
  dmIs('scheduler', 'false', 'disables the scheduler'),
  dmIs('fetch', 'false', 'disables fetch'),
  dmIs('flagged', 'true', 'has flagged this configuration, which blocks new scheduler entries'),
  `:if ($tkDm != ${q('')}) do={ :error (${q('tikops: device-mode ')} . $tkDm . ${q(
    '. Run /system device-mode update scheduler=yes fetch=yes (a flagged router: update device-mode, which clears the flag), confirm it on the device, then paste the bootstrap command again.',
  )}) }`,
];

/**
 * Sets `tkHdr`, the adoption request's header fields: `Content-Type`, and, when the router still
 * has an agent, the `Authorization: Bearer <device token>` of its site, taken out of the installed
 * `tikops-poll` script's own `tkHdr` (renderAgent writes it; the removal job reads it the same
 * way). That token proves a re-adoption is the site's own router (docs/security.md#re-adoption).
 * `:find`, `:pick` and `/system script get` read the same on v6 and v7 (Scripting,
 * help.mikrotik.com/docs/spaces/ROS/pages/47579229).
 */
const AGENT_TOKEN_HEADER = [
  `:local tkHdr ${q('Content-Type: text/plain')}`,
  `:local tkSrc ${q('')}`,
  `:do { :set tkSrc [/system script get [find where name=${q(AGENT_NAME)}] source] } on-error={}`,
  `:local tkAt [:find $tkSrc ${q('Authorization: Bearer ')}]`,
  `:if ([:typeof $tkAt] = ${q('num')}) do={ :set tkHdr [:pick $tkSrc $tkAt [:find $tkSrc ${q('"')} $tkAt]] }`,
];

const REFUSED = q(
  'tikops: adoption failed or was refused. A router whose site exists but which lost its agent (a reset) needs an operator to approve its re-adoption in tikops first (POST /site/{siteId}/approve-readoption), then paste the command again.',
);

/** Stage 1, served by GET /bootstrap/<token>: report the facts, install what tikops answers. */
export function renderBootstrap(publicUrl: string, token: string, trust: RouterTrust): string {
  const remove = (file: string): string => `:do { /file remove [find where name=${q(file)}] } on-error={}`;
  return [
    '# tikops bootstrap: report this router to tikops and install the agent it answers with.',
    `:local tkAdopt ${q(`${publicUrl}/adopt/${token}`)}`,
    ...DEVICE_MODE_CHECK,
    ENCODER_FN,
    `:local tkHb ${q('')}`,
    // The version is not known yet: the v7 list tries both license keys, which is harmless on v6.
    ...factLines('v7'),
    `:set tkHb ($tkHb . ${q('uptime=')} . [/system resource get uptime] . ${q(';')})`,
    `:put ${q('tikops: asking for adoption')}`,
    remove(ADOPT_FILE),
    ...AGENT_TOKEN_HEADER,
    `:do { /tool fetch url=$tkAdopt http-method=post http-header-field=$tkHdr http-data=$tkHb dst-path=${q(ADOPT_FILE)}${checkCert(trust)} } on-error={ :error ${REFUSED} }`,
    ':delay 2s',
    `/import file-name=${q(ADOPT_FILE)}`,
    remove(ADOPT_FILE),
    remove(BOOTSTRAP_FILE),
    '',
  ].join('\n');
}
