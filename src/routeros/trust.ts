// What a router needs to verify tikops before it runs anything tikops answers (docs/onboarding.md,
// "Verified TLS"). `/tool fetch` checks no certificate unless `check-certificate` says so (default
// `no`; `yes-without-crl` validates the chain from the local certificate store without a CRL
// check: Fetch, help.mikrotik.com/docs/spaces/ROS/pages/8978514). The store is either tikops' own
// CA (TLS_CA_CERT), imported as a trusted certificate (`/certificate import … trusted=yes`), or the
// built-in root CAs, trusted with `/certificate settings set builtin-trust-anchors=trusted` from
// 7.19 (Certificates, help.mikrotik.com/docs/spaces/ROS/pages/2555969). Validation needs a set
// clock: a router without a battery clock starts at 1970 after a boot until NTP answers (Clock,
// help.mikrotik.com/docs/spaces/ROS/pages/40992866), so the installer turns the NTP client on.
import { rosQuote as q } from './quote.js';

export interface RouterTrust {
  /** PUBLIC_URL is https: every router-side fetch verifies the certificate. */
  verify: boolean;
  /** PEM of the CA that signs tikops' certificate, or null: publicly signed (built-in CAs). */
  caPem: string | null;
}

/** The certificate name of tikops' CA on a router. */
export const CA_NAME = 'tikops-ca';
const CA_FILE = 'tikops-ca.pem';

/** ` check-certificate=yes-without-crl` for a verifying router, else nothing: appended to every `/tool fetch`. */
export function checkCert(t: RouterTrust): string {
  return t.verify ? ' check-certificate=yes-without-crl' : '';
}

const ANCHORS = '/certificate settings set builtin-trust-anchors=trusted';

/**
 * Commands (one per element, no line may be split) that make the router trust tikops: import the
 * CA unless a certificate named tikops-ca exists, or trust the built-in CAs. The latter is run
 * through `:parse` because before 7.19 the parameter is unknown, which would refuse the whole
 * script at compile time; there it fails, is logged, and fetches keep refusing (safe either way).
 * `/file add … contents=` is v7 (Files, help.mikrotik.com/docs/spaces/ROS/pages/2555971); a v6
 * router needs the CA imported by hand as tikops-ca first (docs/onboarding.md).
 */
export function trustCommands(t: RouterTrust): string[] {
  if (!t.verify) return [];
  if (t.caPem === null) {
    return [`:do { :local tkT [:parse ${q(ANCHORS)}]; $tkT } on-error={ :log warning ${q('tikops: could not trust the built-in CAs (RouterOS 7.19+ has them)')} }`];
  }
  const missing = `[:len [/certificate find where name=${q(CA_NAME)}]] = 0`;
  return [
    `:if (${missing}) do={ /file add name=${q(CA_FILE)} contents=${q(`${t.caPem}\n`)}; :delay 1s; ` +
      `/certificate import file-name=${q(CA_FILE)} name=${q(CA_NAME)} trusted=yes; ` +
      `:do { /file remove [find where name=${q(CA_FILE)}] } on-error={} }`,
  ];
}

/**
 * Turns the NTP client on with `servers` unless it is on already: v7's client takes `servers=`,
 * v6's SNTP client host names in `server-dns-names=` (NTP, help.mikrotik.com/docs/spaces/ROS/pages/40992869).
 */
export function ntpCommands(t: RouterTrust, major: number, servers: readonly string[]): string[] {
  if (!t.verify) return [];
  const param = major >= 7 ? 'servers' : 'server-dns-names';
  return [
    `:do { :if (![/system ntp client get enabled]) do={ /system ntp client set enabled=yes ${param}=${q(servers.join(','))} } } ` +
      `on-error={ :log warning ${q('tikops: could not configure the NTP client; set the clock for TLS verification')} }`,
  ];
}
