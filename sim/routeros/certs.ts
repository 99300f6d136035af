// /certificate (Certificates 2555969): import from a file (PEM), the trusted flag, the settings
// of the built-in root CAs, and the check `/tool fetch check-certificate=yes|yes-without-crl`
// makes: "trust chain validation from the local certificate store" (Fetch 8978514). A host's
// certificate counts as issued by the CA its Peer names; its lifetime is checked against the
// router's clock, which must therefore be set (Certificates 2555969: invalid-before/after; SSTP
// 2031645 lists the errors: "certificate is not yet valid", "unable to get issuer certificate locally").
import { X509Certificate } from 'node:crypto';
import { fromBin } from './bytes.js';
import { commandError } from './interpreter.js';
import type { MenuCall, MenuCommand, MenuNode } from './menu-kit.js';
import { clockOf, menu, print } from './menu-kit.js';
import type { Runtime } from './runtime.js';
import type { CertificateEntry, Peer } from './state-types.js';
import { allocId } from './state.js';
import type { TableSpec } from './tables.js';
import { tableMenu } from './tables.js';
import { recordMenu } from './system.js';
import { NOTHING, bool, str, toStr } from './values.js';
import { has } from './version.js';

/** Server certificates of simulated hosts are valid from this date (believed: any real one is newer than 2000). */
const SERVER_CERT_FROM = Date.UTC(2000, 0, 1);

export const CERTIFICATE: TableSpec = {
  path: '/certificate',
  list: (s) => s.certificates,
  nameProp: 'name',
  fixed: false,
  fields: [
    { ros: 'name', prop: 'name', kind: 'str', def: '' },
    { ros: 'common-name', prop: 'commonName', kind: 'str', def: '', readOnly: true },
    { ros: 'authority', prop: 'authority', kind: 'bool', def: false, readOnly: true },
    { ros: 'trusted', prop: 'trusted', kind: 'bool', def: false },
    { ros: 'invalid-before', prop: 'invalidBefore', kind: 'str', def: '', readOnly: true },
    { ros: 'invalid-after', prop: 'invalidAfter', kind: 'str', def: '', readOnly: true },
  ],
};

const PEM_RE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

function commonName(subject: string): string {
  const m = /(?:^|\n)CN=([^\n]*)/.exec(subject);
  return m ? m[1]! : subject;
}

/** `/certificate import file-name= [name=] [passphrase=] [trusted=yes|no]`: every PEM certificate in the file. */
const IMPORT: MenuCommand = {
  params: ['file-name', 'name', 'passphrase', 'trusted'],
  policy: ['write'],
  run: (c) => {
    const fileName = fromBin(toStr(c.named.get('file-name') ?? str('')));
    const file = c.rt.state.files.find((f) => f.name === fileName);
    if (!file) throw commandError(c.st, 'failure: no such file');
    const trustedArg = c.named.get('trusted');
    const trusted = trustedArg === undefined || toStr(trustedArg) === 'yes' || toStr(trustedArg) === 'true';
    const base = c.named.has('name') ? fromBin(toStr(c.named.get('name')!)) : `${fileName}_0`;
    let n = 0;
    for (const pem of file.contents.match(PEM_RE) ?? []) {
      let cert: X509Certificate;
      try {
        cert = new X509Certificate(pem);
      } catch {
        continue;
      }
      const name = n === 0 ? base : `${base.replace(/_0$/, '')}_${String(n)}`;
      const entry: CertificateEntry = {
        id: allocId(c.rt.state),
        name,
        commonName: commonName(cert.subject),
        authority: cert.ca,
        trusted,
        invalidBefore: new Date(cert.validFrom).toISOString(),
        invalidAfter: new Date(cert.validTo).toISOString(),
      };
      c.rt.state.certificates = c.rt.state.certificates.filter((x) => x.name !== name);
      c.rt.state.certificates.push(entry);
      n++;
    }
    if (!c.inSub) print(c, `     certificates-imported: ${String(n)}\n     private-keys-imported: 0\n            files-imported: ${n > 0 ? 1 : 0}\n       decryption-failures: 0\n  keys-with-no-certificate: 0\n`);
    return NOTHING;
  },
};

/** Whether fetch may use the built-in root CAs: 7.19's builtin-trust-anchors=trusted, or 7.21's builtin-trust-store with fetch or all. */
function builtinTrusted(rt: Runtime): boolean {
  const cs = rt.state.certificateSettings;
  if (has(rt.version, 'trust-anchors') && cs.builtinTrustAnchors === 'trusted') return true;
  if (!has(rt.version, 'trust-store')) return false;
  const store = cs.builtinTrustStore.split(',');
  return store.includes('fetch') || store.includes('all');
}

/** Null when the router trusts the peer's certificate now, else the SSL error. */
export function verifyPeer(rt: Runtime, peer: Peer): string | null {
  const now = clockOf(rt);
  if (now < SERVER_CERT_FROM) return 'certificate is not yet valid';
  const ca = rt.state.certificates.find((x) => x.trusted && x.commonName === peer.issuer);
  if (ca) {
    if (now < Date.parse(ca.invalidBefore)) return 'certificate is not yet valid';
    if (now > Date.parse(ca.invalidAfter)) return 'certificate has expired';
    return null;
  }
  if (peer.publicCa === true && builtinTrusted(rt)) return null;
  return 'unable to get issuer certificate locally';
}

const SETTINGS_V = ['crl-download', 'crl-store', 'crl-use'];

function settingsParams(rt: Runtime): string[] {
  return [...SETTINGS_V, ...(has(rt.version, 'trust-anchors') ? ['builtin-trust-anchors'] : []), ...(has(rt.version, 'trust-store') ? ['builtin-trust-store'] : [])];
}

const TRUST_STORE_ITEMS = new Set(['all', 'none', 'default', 'fetch', 'dns', 'ipsec', 'email', 'container', 'capsman', 'sstp', 'ovpn', 'mqtt', 'netwatch', 'radius', 'userman', 'www', 'api']);

const SETTINGS_SET: MenuCommand = {
  params: settingsParams,
  policy: ['write'],
  run: (c: MenuCall) => {
    const cs = c.rt.state.certificateSettings;
    const anchors = c.named.get('builtin-trust-anchors');
    if (anchors !== undefined) {
      const v = toStr(anchors);
      if (v !== 'trusted' && v !== 'not-trusted') throw commandError(c.st, 'invalid value for argument builtin-trust-anchors');
      cs.builtinTrustAnchors = v;
    }
    const store = c.named.get('builtin-trust-store');
    if (store !== undefined) {
      const v = fromBin(toStr(store));
      if (!v.split(',').every((x) => TRUST_STORE_ITEMS.has(x))) throw commandError(c.st, 'invalid value for argument builtin-trust-store');
      cs.builtinTrustStore = v;
    }
    return NOTHING;
  },
};

function settingsRecord(rt: Runtime): Map<string, ReturnType<typeof str>> {
  const cs = rt.state.certificateSettings;
  const rec = new Map([
    ['crl-download', bool(false)],
    ['crl-use', bool(false)],
    ['crl-store', str('ram')],
  ]);
  if (has(rt.version, 'trust-anchors')) rec.set('builtin-trust-anchors', str(cs.builtinTrustAnchors));
  if (has(rt.version, 'trust-store')) rec.set('builtin-trust-store', str(cs.builtinTrustStore));
  return rec;
}

export function certificateMenu(): MenuNode {
  const table = tableMenu({ ...CERTIFICATE, fixed: true, extra: { import: IMPORT } });
  const remove = tableMenu(CERTIFICATE).commands.get('remove')!;
  return menu(
    { ...Object.fromEntries(table.commands), remove },
    { settings: recordMenu(settingsRecord, { set: SETTINGS_SET }) },
  );
}
