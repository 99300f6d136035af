// Record menus (/system resource, identity, routerboard, license, clock), /system reboot and /log.
import type { Value } from './ast.js';
import { fromBin, toBin } from './bytes.js';
import { formatDate, parseDate, secondsOfDay, uptimeOf } from './clock.js';
import { RebootSignal } from './errors.js';
import { commandError } from './interpreter.js';
import type { MenuCall, MenuCommand, MenuNode } from './menu-kit.js';
import { clockOf, menu, print } from './menu-kit.js';
import type { Runtime } from './runtime.js';
import { pushLog } from './state.js';
import { NOTHING, arr, num, parseTime, str, time, toStr } from './values.js';
import { has } from './version.js';

type Rec = ReadonlyMap<string, Value>;

const s = (x: string): Value => str(toBin(x));

function resource(rt: Runtime): Rec {
  const r = rt.state.resource;
  return new Map<string, Value>([
    ['uptime', time(uptimeOf(rt.state, rt.host))],
    ['version', s(rt.state.version)],
    ['build-time', s(r.buildTime)],
    ['factory-software', s(r.factorySoftware)],
    ['free-memory', num(r.freeMemory)],
    ['total-memory', num(r.totalMemory)],
    ['cpu', s(r.cpu)],
    ['cpu-count', num(r.cpuCount)],
    ['cpu-load', num(r.cpuLoad)],
    ['free-hdd-space', num(r.freeHddSpace)],
    ['total-hdd-space', num(r.totalHddSpace)],
    ['architecture-name', s(r.architectureName)],
    ['board-name', s(r.boardName)],
    ['platform', s(r.platform)],
  ]);
}

function fromStrings(o: { readonly [k: string]: string | number }): Rec {
  return new Map(Object.entries(o).map(([k, v]): [string, Value] => [k, typeof v === 'number' ? num(v) : s(v)]));
}

function clock(rt: Runtime): Rec {
  const ms = clockOf(rt);
  return new Map<string, Value>([
    ['time', time(secondsOfDay(ms))],
    ['date', s(formatDate(ms, has(rt.version, 'iso-date')))],
    ['time-zone-name', s('UTC')],
    ['gmt-offset', s('+00:00')],
  ]);
}

const READ = ['read'];

/** A menu over one record: `get [key]` and `print`. */
export function recordMenu(read: (rt: Runtime) => Rec, extra: { [name: string]: MenuCommand } = {}, available?: MenuNode['available']): MenuNode {
  return menu(
    {
      get: {
        params: ['value-name'],
        positional: 1,
        policy: READ,
        run: (c) => {
          const rec = read(c.rt);
          const key = c.named.get('value-name') ?? c.pos[0];
          if (key === undefined) return arr([], rec);
          const v = rec.get(fromBin(toStr(key)));
          if (v === undefined) throw commandError(c.st, 'input does not match any value of value-name');
          return v;
        },
      },
      print: {
        flags: ['as-value', 'without-paging'],
        params: ['as-value', 'without-paging'],
        policy: READ,
        run: (c) => {
          const rec = read(c.rt);
          if (c.flags.has('as-value')) return arr([], rec);
          const width = Math.max(...[...rec.keys()].map((k) => k.length));
          print(c, [...rec].map(([k, v]) => `${k.padStart(width + 2)}: ${fromBin(toStr(v))}\n`).join(''));
          return NOTHING;
        },
      },
      ...extra,
    },
    {},
    available,
  );
}

// RouterOS keeps the identity as bytes (WinBox users type it in their code page, e.g. cp1251):
// bytes that are not UTF-8 are kept raw in identityBytes and read back unchanged (B: observed as
// heartbeat identities arriving in cp1251, issue 13 item 7); `identity` is their text for tests.
const identity = recordMenu((rt) => new Map([['name', rt.state.identityBytes === undefined ? s(rt.state.identity) : str(rt.state.identityBytes)]]), {
  set: {
    params: ['name'],
    policy: ['write'],
    run: (c: MenuCall) => {
      const name = c.named.get('name');
      if (name === undefined) throw commandError(c.st, 'missing value for name');
      const bytes = toStr(name).slice(0, 255);
      c.rt.state.identity = fromBin(bytes);
      if (Buffer.from(toBin(c.rt.state.identity), 'latin1').equals(Buffer.from(bytes, 'latin1'))) delete c.rt.state.identityBytes;
      else c.rt.state.identityBytes = bytes;
      return NOTHING;
    },
  },
});

/** `/system clock set date= time=`: the clock counts as set from then on (the offset is not kept). */
const clockSet: MenuCommand = {
  params: ['date', 'time', 'time-zone-name', 'time-zone-autodetect'],
  policy: ['write'],
  run: (c) => {
    const date = c.named.get('date');
    const t = c.named.get('time');
    if (date !== undefined && parseDate(fromBin(toStr(date))) === null) throw commandError(c.st, 'invalid value for argument date');
    if (t !== undefined && parseTime(fromBin(toStr(t))) === null) throw commandError(c.st, 'invalid value for argument time');
    if (date !== undefined || t !== undefined) c.rt.state.clockSet = true;
    return NOTHING;
  },
};

export const REBOOT: MenuCommand = {
  params: [],
  policy: ['reboot'],
  run: (c) => {
    c.rt.state.rebooted = true;
    throw new RebootSignal();
  },
};

function logMenu(): MenuNode {
  const level = (topic: string): MenuCommand => ({
    params: ['message'],
    positional: 1,
    run: (c) => {
      const msg = c.named.get('message') ?? c.pos[0];
      pushLog(c.rt.state, topic, fromBin(msg === undefined ? '' : toStr(msg)));
      return NOTHING;
    },
  });
  return menu({
    info: level('info'),
    warning: level('warning'),
    error: level('error'),
    debug: level('debug'),
    print: {
      flags: ['as-value', 'without-paging'],
      params: ['as-value', 'without-paging', 'where', 'follow', 'follow-only'],
      policy: READ,
      run: (c) => {
        print(c, c.rt.state.log.map((e) => `${e.topic} ${e.message}\n`).join(''));
        return NOTHING;
      },
    },
  });
}

export function systemMenus(): { system: Record<string, MenuNode>; log: MenuNode } {
  return {
    system: {
      resource: recordMenu(resource),
      identity,
      routerboard: recordMenu(
        (rt) => fromStrings(rt.state.routerboard ?? {}),
        {},
        (rt) => rt.state.routerboard !== null,
      ),
      license: recordMenu((rt) => fromStrings(rt.state.license)),
      clock: recordMenu(clock, { set: clockSet }),
    },
    log: logMenu(),
  };
}
