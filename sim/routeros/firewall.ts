// /ip firewall filter (Filter 48660574): the rules net.ts applies to the router's own connections.
import { ipv4 } from './net.js';
import type { TableSpec } from './tables.js';

const ACTIONS = ['accept', 'drop', 'reject', 'passthrough', 'log', 'jump', 'return', 'fasttrack-connection', 'add-dst-to-address-list', 'add-src-to-address-list', 'tarpit'];

const address = (text: string): boolean => text === '' || ipv4(text.replace(/^!/, '')) !== null;
const ports = (text: string): boolean => text === '' || /^\d{1,5}(-\d{1,5})?(,\d{1,5}(-\d{1,5})?)*$/.test(text);

export const FIREWALL_FILTER: TableSpec = {
  path: '/ip firewall filter',
  list: (s) => s.firewall,
  fields: [
    { ros: 'chain', prop: 'chain', kind: 'str', def: '', required: true },
    { ros: 'action', prop: 'action', kind: 'str', def: 'accept', choices: ACTIONS },
    { ros: 'protocol', prop: 'protocol', kind: 'str', def: '' },
    { ros: 'dst-address', prop: 'dstAddress', kind: 'str', def: '' },
    { ros: 'dst-port', prop: 'dstPort', kind: 'str', def: '' },
    { ros: 'out-interface', prop: 'outInterface', kind: 'str', def: '' },
    { ros: 'comment', prop: 'comment', kind: 'str', def: '' },
    { ros: 'disabled', prop: 'disabled', kind: 'bool', def: false },
  ],
  validate: (state, e) => {
    if (!address(String(e.dstAddress))) return 'invalid value for argument dst-address';
    if (!ports(String(e.dstPort))) return 'invalid value for argument dst-port';
    if (e.dstPort !== '' && e.protocol !== 'tcp' && e.protocol !== 'udp') return 'failure: dst-port can be set only for tcp or udp';
    if (e.outInterface !== '' && !state.interfaces.some((i) => i.name === e.outInterface)) return 'input does not match any value of out-interface';
    return undefined;
  },
};
