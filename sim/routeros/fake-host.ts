// An in-memory Host for tests and the fleet simulator: virtual clock, recorded requests, and a
// small model of the network (peers: address, egress interface, certificate issuer).
import { setImmediate } from 'node:timers';
import type { FetchRequest, Host, Peer } from './state-types.js';

export type FetchReply = { status: number; body: string };
export type FetchHandler = (req: FetchRequest) => FetchReply | Promise<FetchReply>;

export interface FakeHost extends Host {
  /** Every fetch that left the router, in order. */
  readonly requests: FetchRequest[];
  /** Virtual time in ms; `sleep` advances it instead of waiting. */
  clockMs: number;
  now(): number;
  /**
   * Host names (or addresses) the network knows, e.g. `peers.set('tikops.example.net', { address:
   * '203.0.113.10', issuer: 'tikops test CA' })`. Others are reached over ether1 and present a
   * certificate from a public CA.
   */
  readonly peers: Map<string, Peer>;
  /** Whether NTP servers answer. */
  ntp: boolean;
}

/** A host whose fetch answers with `handler` (default: 200 with an empty body) and whose sleeps are instant. */
export function createFakeHost(handler: FetchHandler = () => ({ status: 200, body: '' }), startMs = Date.UTC(2025, 0, 1)): FakeHost {
  const host: FakeHost = {
    requests: [],
    clockMs: startMs,
    peers: new Map(),
    ntp: true,
    now: () => host.clockMs,
    // Time jumps, but the wait still lets background runs (`:execute`) take their turn.
    sleep: (ms) => {
      host.clockMs += ms;
      return new Promise((resolve) => setImmediate(resolve));
    },
    peer: (name) => host.peers.get(name),
    fetch: async (req) => {
      host.requests.push(req);
      return handler(req);
    },
  };
  return host;
}

/** Common name of TEST_CA_PEM. */
export const TEST_CA_NAME = 'tikops test CA';

/**
 * A self-signed CA certificate (P-256, valid 2000-2099) for tests: put it in a router file and
 * `/certificate import` it, and give a peer `issuer: TEST_CA_NAME`.
 */
export const TEST_CA_PEM = `-----BEGIN CERTIFICATE-----
MIIBZTCCAQugAwIBAgIBATAKBggqhkjOPQQDAjAZMRcwFQYDVQQDDA50aWtvcHMg
dGVzdCBDQTAgFw0wMDAxMDEwMDAwMDBaGA8yMDk5MTIzMTIzNTk1OVowGTEXMBUG
A1UEAwwOdGlrb3BzIHRlc3QgQ0EwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARE
nv6XOECTpYK+JBQrQ00gyL4notywjsr1aimIKIZrcadkmMz5xFYzw/jWMTDsbWT3
KwxPtxZUcSi/w9fq0Bu3o0IwQDAPBgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQE
AwIBBjAdBgNVHQ4EFgQU3Wa1hNLatg11yrsvPavyRkK4NMswCgYIKoZIzj0EAwID
SAAwRQIhALKr3x687jdxEOXfLflgR+g1YuOBvdk2sZCiXSchOGhNAiALsDIhZ1U8
zs8wy/O/LvyoQfjGVIKFpqVgdjy1/wDHtw==
-----END CERTIFICATE-----
`;
