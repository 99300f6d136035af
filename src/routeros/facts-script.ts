// RouterOS code that gathers a router's facts into a `key=value;` body (docs/onboarding.md), shared
// by the bootstrap script (src/runbooks) and the agent (src/adoption). v6.43+ syntax that v7
// accepts too: space-separated paths, comments only at column 0, `:do {} on-error={}`.
//
// Values are percent-encoded by `tkEnc`, a script function: `%`, `;`, `=`, every control byte
// (CR, LF, TAB, ...) and every byte of 0x7F and above become %XX. The high bytes matter because
// RouterOS identities are raw bytes (often cp1251 or latin-1 typed in WinBox) while the API only
// accepts UTF-8 bodies: encoded, the body is printable ASCII and src/routeros/heartbeat.ts decodes
// any byte back.
import { isEncodedByte } from './heartbeat.js';
import { rosQuote as q } from './quote.js';
import type { ScriptDialect } from './version.js';

const hex2 = (b: number): string => b.toString(16).toUpperCase().padStart(2, '0');

// The bytes to encode (the table in src/routeros/heartbeat.ts; NUL never reaches a script value)
// as one literal of `\XX` escapes, built by hand because rosQuote encodes text as UTF-8 and these
// are single bytes, and their codes in the same order: `[:find $enc $c]` is a byte's index.
const ENCODED = Array.from({ length: 255 }, (_, i) => i + 1).filter(isEncodedByte);
const ENC_BYTES = `"${ENCODED.map((b) => `\\${hex2(b)}`).join('')}"`;
const ENC_CODES = q(ENCODED.map(hex2).join(''));

/** The `tkEnc` function: `[$tkEnc <value>]` is the value percent-encoded for a heartbeat. */
export const ENCODER_FN = [
  ':local tkEnc do={',
  ':local s [:tostr $1]',
  `:local o ${q('')}`,
  `:local enc ${ENC_BYTES}`,
  `:local codes ${ENC_CODES}`,
  ':if ([:len $s] > 0) do={ :for i from=0 to=([:len $s] - 1) do={',
  ':local c [:pick $s $i]',
  ':local n [:find $enc $c]',
  `:if ([:typeof $n] = ${q('num')}) do={ :set o ($o . ${q('%')} . [:pick $codes ($n * 2) ($n * 2 + 2)]) } else={ :set o ($o . $c) }`,
  '} }',
  ':return $o',
  '}',
].join('\n');

interface Fact {
  key: string;
  /** The RouterOS command whose value is the fact. */
  cmd: string;
  /** Run through `:parse` so a menu or property the platform lacks cannot break the script. */
  guarded?: boolean;
  /** Numbers and times need no encoding. */
  plain?: boolean;
}

const resource = (key: string, plain = false): Fact => ({ key, cmd: `/system resource get ${key}`, plain });
const routerboard = (key: string): Fact => ({ key, cmd: `/system routerboard get ${key}`, guarded: true });

// The adoption facts (docs/onboarding.md); uptime is added by the caller (it changes per poll).
const FACTS: Fact[] = [
  { key: 'name', cmd: '/system identity get name' },
  ...['version', 'architecture-name', 'board-name', 'platform', 'cpu', 'build-time', 'factory-software'].map((k) => resource(k)),
  ...['cpu-count', 'cpu-frequency', 'cpu-load', 'free-memory', 'total-memory', 'free-hdd-space', 'total-hdd-space'].map((k) =>
    resource(k, true),
  ),
  ...['routerboard', 'model', 'serial-number', 'firmware-type', 'current-firmware', 'upgrade-firmware'].map(routerboard),
  { key: 'software-id', cmd: '/system license get software-id', guarded: true },
  // CHR has no software-id but a system-id (RouterOS license keys, help.mikrotik.com/docs/spaces/ROS/pages/328149).
  { key: 'system-id', cmd: '/system license get system-id', guarded: true },
];

// License levels: v7 RouterBOARDs call it nlevel, v6 and CHR call it level.
const LEVEL: Record<ScriptDialect, Fact[]> = {
  v6: [{ key: 'level', cmd: '/system license get level', guarded: true }],
  v7: [
    { key: 'level', cmd: '/system license get nlevel', guarded: true },
    { key: 'level', cmd: '/system license get level', guarded: true },
  ],
};

function factLine(f: Fact): string {
  const prefix = q(`${f.key}=`);
  const value = (v: string): string => (f.plain ? v : `[$tkEnc ${v}]`);
  if (!f.guarded) return `:do { :set tkHb ($tkHb . ${prefix} . ${value(`[${f.cmd}]`)} . ${q(';')}) } on-error={}`;
  return (
    // `:return` makes the parsed code hand back the value on every version (a bare command may not).
    `:do { :local tkF [:parse ${q(`:return [${f.cmd}]`)}]; :local tkV [$tkF]; ` +
    `:if ([:typeof $tkV] != ${q('nothing')}) do={ :set tkHb ($tkHb . ${prefix} . ${value('$tkV')} . ${q(';')}) } } on-error={}`
  );
}

/**
 * Lines that append every fact the router has to the local `tkHb` (declared by the caller, with
 * `tkEnc` in scope). A fact the router lacks is skipped, never fatal.
 */
export function factLines(dialect: ScriptDialect): string[] {
  return [...FACTS, ...LEVEL[dialect]].map(factLine);
}
