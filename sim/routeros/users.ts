// /user and /user group (User 8978504). User management needs the `policy` policy besides `write`.
import { ALL_POLICIES, parsePolicy } from './policy.js';
import type { TableSpec } from './tables.js';

const MANAGE = ['write', 'policy'];

export const USER_GROUP: TableSpec = {
  path: '/user group',
  list: (s) => s.groups,
  nameProp: 'name',
  writePolicy: MANAGE,
  fields: [
    { ros: 'name', prop: 'name', kind: 'str', def: '', required: true },
    { ros: 'policy', prop: 'policy', kind: 'str', def: '' },
    { ros: 'comment', prop: 'comment', kind: 'str', def: '' },
  ],
  validate: (_s, e) => (parsePolicy(String(e.policy), ALL_POLICIES) === null ? 'invalid value for argument policy' : undefined),
};

export const USER: TableSpec = {
  path: '/user',
  list: (s) => s.users,
  nameProp: 'name',
  writePolicy: MANAGE,
  fields: [
    { ros: 'name', prop: 'name', kind: 'str', def: '', required: true },
    { ros: 'group', prop: 'group', kind: 'str', def: '', required: true },
    // Never shown or exported: passwords cannot be read back (Configuration Management 328155).
    { ros: 'password', prop: 'password', kind: 'str', def: '' },
    { ros: 'comment', prop: 'comment', kind: 'str', def: '' },
    { ros: 'disabled', prop: 'disabled', kind: 'bool', def: false },
  ],
  validate: (state, e) => (state.groups.some((g) => g.name === e.group) ? undefined : 'input does not match any value of group'),
};
