import { describe, it, expect } from 'vitest';
import {
  HeartbeatParseError,
  encodeHeartbeatBytes,
  encodeHeartbeatValue,
  isEncodedByte,
  parseHeartbeat,
  parseUptime,
} from '../../src/routeros/heartbeat.js';

function expectParseError(body: string, param: string): void {
  let caught: unknown;
  try {
    parseHeartbeat(body);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(HeartbeatParseError);
  expect((caught as HeartbeatParseError).param).toBe(param);
}

const ADOPTION_BODY =
  'name=HQ-Router;serial-number=HEX0123456;software-id=ABCD-EFGH;level=4;' +
  'architecture-name=arm64;routerboard=yes;platform=MikroTik;model=RB5009UG+S+;board-name=RB5009UG+S+;revision=;' +
  'cpu=ARM64;cpu-count=4;cpu-frequency=1400;cpu-load=3;total-memory=1073741824;free-memory=850000000;' +
  'total-hdd-space=1073741824;free-hdd-space=900000000;' +
  'build-time=Dec/15/2023 10:00:00;version=7.13 (stable);factory-software=7.1;' +
  'factory-firmware=7.1;current-firmware=7.13;upgrade-firmware=7.13;firmware-type=arm64;' +
  'uptime=1d10h30m15s;';

describe('parseUptime', () => {
  it.each([
    ['00:00:29', 29],
    ['1d02:15:38', 94538],
    ['2w3d04:05:06.5', 1483506],
    ['1w2d03:04:05', 788645],
    ['01:22:53', 4973],
    ['2735w1d21:41:43.481891543', 2735 * 604800 + 86400 + 21 * 3600 + 41 * 60 + 43],
    ['13h35m12s', 48912],
    ['2d0h5m10s', 173110],
    ['2d20h12m20s', 245540],
    ['1w2d3h4m5s', 788645],
    ['1d10h30m15s', 124215],
    ['0s', 0],
    ['45s', 45],
    ['90m', 5400],
    ['1s999ms', 1],
    ['1500ms', 1],
    ['3w', 1814400],
  ])('parses %s as %i seconds', (input, seconds) => {
    expect(parseUptime(input)).toBe(seconds);
  });

  it.each([
    'abc',
    '',
    '-5s',
    '-00:00:01',
    '00:60:00',
    '00:00:60',
    '1d 02:15:38',
    ' 13h35m12s',
    '13h35m12s ',
    '5s3m',
    '1:2:3',
    '123:00:00',
    '1.5s',
    'd',
    '1x',
    '9'.repeat(30) + 'w',
  ])('rejects %j', (input) => {
    expect(parseUptime(input)).toBeNull();
  });
});

describe('parseHeartbeat', () => {
  it('parses the poll example from the product docs once its elisions are filled in', () => {
    const hb = parseHeartbeat(
      'name=MyDevice;serial-number=ABC123XYZ;version=7.13 (stable);uptime=2d0h5m10s;cpu-load=10;free-memory=850000000;',
    );
    expect(hb.fields).toEqual({
      name: 'MyDevice',
      'serial-number': 'ABC123XYZ',
      version: '7.13 (stable)',
      uptime: '2d0h5m10s',
      'cpu-load': '10',
      'free-memory': '850000000',
    });
    expect(hb.uptimeSeconds).toBe(173110);
  });

  it('rejects the docs example verbatim because its "..." elisions are not valid keys', () => {
    expectParseError(
      'name=MyDevice;serial-number=ABC123XYZ;...uptime=2d0h5m10s;cpu-load=10;free-memory=850000000;...',
      '...uptime',
    );
    expectParseError('name=MyDevice;cpu-load=10;...', 'body');
  });

  it('parses every documented adoption field, including spaces in build-time and an empty revision', () => {
    const hb = parseHeartbeat(ADOPTION_BODY);
    expect(hb.fields['build-time']).toBe('Dec/15/2023 10:00:00');
    expect(hb.fields['revision']).toBe('');
    expect(hb.fields['version']).toBe('7.13 (stable)');
    expect(hb.fields['model']).toBe('RB5009UG+S+');
    expect(Object.keys(hb.fields)).toHaveLength(26);
    expect(hb.uptimeSeconds).toBe(124215);
  });

  it('decodes a percent-encoded identity containing ; = and quotes', () => {
    const hb = parseHeartbeat('name=My%3BRouter%3D1 "x";uptime=00:00:29');
    expect(hb.fields['name']).toBe('My;Router=1 "x"');
    expect(hb.uptimeSeconds).toBe(29);
  });

  it('decodes percent-encoded UTF-8 and passes raw UTF-8 through', () => {
    expect(parseHeartbeat('name=Caf%C3%A9%20%E2%9C%93').fields['name']).toBe('Café ✓');
    expect(parseHeartbeat('name=Роутер ✓ 😀').fields['name']).toBe('Роутер ✓ 😀');
    expect(parseHeartbeat('name=Ро%D1%83тер').fields['name']).toBe('Роутер');
  });

  it('accepts lowercase hex in percent escapes', () => {
    expect(parseHeartbeat('name=a%3bb%3dc').fields['name']).toBe('a;b=c');
  });

  it('leaves stray or incomplete percent signs literal', () => {
    expect(parseHeartbeat('cpu-load=100%').fields['cpu-load']).toBe('100%');
    expect(parseHeartbeat('a=%;b=%4;c=%zz;d=%%41').fields).toEqual({ a: '%', b: '%4', c: '%zz', d: '%A' });
  });

  it('reads bytes that are not valid UTF-8 as latin-1 instead of U+FFFD', () => {
    expect(parseHeartbeat('name=%FF%FEok').fields['name']).toBe('\u00ff\u00feok');
    // "Привет" typed in cp1251: one character per byte, nothing lost.
    const cp1251 = Buffer.from([0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2]);
    const got = parseHeartbeat(`name=${encodeHeartbeatBytes(cp1251)}`).fields['name']!;
    expect(got).not.toContain('\ufffd');
    expect(Buffer.from(got, 'latin1')).toEqual(cp1251);
    // Valid UTF-8 stays UTF-8.
    expect(parseHeartbeat('name=%D0%9F%D1%80').fields['name']).toBe('Пр');
  });

  it('does not treat + as a space', () => {
    expect(parseHeartbeat('model=RB5009UG+S+').fields['model']).toBe('RB5009UG+S+');
  });

  it('tolerates a trailing semicolon, CRLF at the end and blank segments', () => {
    expect(parseHeartbeat('a=1;b=2;').fields).toEqual({ a: '1', b: '2' });
    expect(parseHeartbeat('a=1;b=2\r\n').fields).toEqual({ a: '1', b: '2' });
    expect(parseHeartbeat('a=1;b=2;\r\n').fields).toEqual({ a: '1', b: '2' });
    expect(parseHeartbeat(';;a=1;; ;\n;b=2').fields).toEqual({ a: '1', b: '2' });
    expect(parseHeartbeat(' a=1 ;\tb=2\n').fields).toEqual({ a: '1', b: '2' });
  });

  it('returns no fields for an empty or whitespace-only body', () => {
    expect(parseHeartbeat('').fields).toEqual({});
    expect(parseHeartbeat(' \r\n').uptimeSeconds).toBeNull();
  });

  it('ignores a leading byte order mark', () => {
    expect(parseHeartbeat('\ufeffname=x').fields).toEqual({ name: 'x' });
  });

  it('lowercases and trims keys', () => {
    expect(parseHeartbeat('Serial-Number=ABC; CPU-Load =5').fields).toEqual({ 'serial-number': 'ABC', 'cpu-load': '5' });
  });

  it('splits at the first "=" only', () => {
    expect(parseHeartbeat('comment=a=b=c').fields['comment']).toBe('a=b=c');
  });

  it('keeps unknown keys', () => {
    expect(parseHeartbeat('x-custom.field_1=hello;uptime=45s').fields['x-custom.field_1']).toBe('hello');
  });

  it('keeps the last value of a repeated key', () => {
    expect(parseHeartbeat('name=first;cpu-load=1;name=second').fields).toEqual({ name: 'second', 'cpu-load': '1' });
  });

  it('reports a null uptime when the key is absent, as on boards without all fields', () => {
    const hb = parseHeartbeat('name=chr;version=7.16;software-id=');
    expect(hb.uptimeSeconds).toBeNull();
    expect(hb.fields['software-id']).toBe('');
  });

  it.each([
    ['uptime=00:00:29', 29],
    ['uptime=1d02:15:38', 94538],
    ['uptime=2w3d04:05:06.5', 1483506],
    ['uptime=13h35m12s', 48912],
    ['uptime=2d0h5m10s', 173110],
    ['uptime=1w2d3h4m5s;', 788645],
  ])('derives uptimeSeconds from %s', (body, seconds) => {
    expect(parseHeartbeat(body).uptimeSeconds).toBe(seconds);
  });

  it('stores prototype-sensitive key names as plain own fields', () => {
    const hb = parseHeartbeat('constructor=c;tostring=t;hasownproperty=h;prototype=p;valueof=v');
    expect(Object.getPrototypeOf(hb.fields)).toBeNull();
    expect(hb.fields['constructor']).toBe('c');
    expect(hb.fields['prototype']).toBe('p');
    expect(Object.keys(hb.fields)).toEqual(['constructor', 'tostring', 'hasownproperty', 'prototype', 'valueof']);
  });

  it('rejects __proto__ as a key without polluting any prototype', () => {
    expectParseError('__proto__=polluted;name=x', '__proto__');
    expectParseError('__proto__.polluted=yes', '__proto__.polluted');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('has no inherited properties on the fields record', () => {
    const hb = parseHeartbeat('name=x');
    expect(Object.hasOwn(hb.fields, 'toString')).toBe(false);
    expect(Object.getPrototypeOf(hb.fields)).toBeNull();
    expect('hasOwnProperty' in hb.fields).toBe(false);
  });
});

describe('parseHeartbeat errors', () => {
  it('rejects a non-empty segment without "="', () => {
    expectParseError('name=x;garbage;uptime=1s', 'body');
    expectParseError('justtext', 'body');
  });

  it('rejects an empty key', () => {
    expectParseError('=value', '');
  });

  it.each([
    ['-name=x', '-name'],
    ['.hidden=x', '.hidden'],
    ['na me=x', 'na me'],
    ['näme=x', 'näme'],
    ['name!=x', 'name!'],
    ['\u212aey=x', '\u212aey'],
    [`${'k'.repeat(65)}=x`, 'k'.repeat(65)],
  ])('rejects the invalid key in %j', (body, param) => {
    expectParseError(body, param);
  });

  it('accepts a 64-character key', () => {
    expect(parseHeartbeat(`${'k'.repeat(64)}=x`).fields['k'.repeat(64)]).toBe('x');
  });

  it('rejects an uptime that parseUptime rejects', () => {
    expectParseError('name=x;uptime=abc', 'uptime');
    expectParseError('uptime=', 'uptime');
    expectParseError('uptime=00:61:00', 'uptime');
  });

  it('accepts 128 keys and rejects 129', () => {
    const keys = (n: number): string => Array.from({ length: n }, (_, i) => `k${i}=v`).join(';');
    expect(Object.keys(parseHeartbeat(keys(128)).fields)).toHaveLength(128);
    expectParseError(keys(129), 'body');
  });

  it('counts a repeated key once towards the key limit', () => {
    const body = Array.from({ length: 500 }, () => 'name=x').join(';');
    expect(parseHeartbeat(body).fields).toEqual({ name: 'x' });
  });

  it('limits values to 1024 characters after decoding', () => {
    expect(parseHeartbeat(`name=${'a'.repeat(1024)}`).fields['name']).toHaveLength(1024);
    expectParseError(`name=${'a'.repeat(1025)}`, 'name');
    // 1024 encoded semicolons decode to exactly 1024 characters.
    expect(parseHeartbeat(`name=${'%3B'.repeat(1024)}`).fields['name']).toBe(';'.repeat(1024));
    expectParseError(`name=${'%3B'.repeat(1025)}`, 'name');
  });

  it('rejects a value that decodes to NUL', () => {
    expectParseError('name=a%00b', 'name');
  });

  it('exposes the error class name and message', () => {
    const err = new HeartbeatParseError('bad', 'uptime');
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('HeartbeatParseError');
    expect(err.param).toBe('uptime');
  });
});

describe('encodeHeartbeatValue', () => {
  it('encodes %, ;, =, space, control bytes and every byte from 0x7F, by the one table', () => {
    expect(encodeHeartbeatValue('My;Router=1 "x"')).toBe('My%3BRouter%3D1%20"x"');
    expect(encodeHeartbeatValue('100%\r\n')).toBe('100%25%0D%0A');
    expect(encodeHeartbeatValue('Café + / ? &')).toBe('Caf%C3%A9%20+%20/%20?%20&');
    for (let b = 0; b < 256; b++) {
      const expected = b <= 0x20 || b >= 0x7f || '%;='.includes(String.fromCharCode(b));
      expect([b, isEncodedByte(b)]).toEqual([b, expected]);
      expect(encodeHeartbeatBytes(Uint8Array.of(b))).toBe(expected ? `%${b.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(b));
    }
  });

  it.each([
    'My;Router=1 "x"',
    'Роутер ✓ 😀',
    '%3B is literal',
    '100%',
    'a=b;c=d',
    'multi\r\nline\rend',
    '=;%;=',
    'in side  spaces',
    '',
  ])('round-trips %j through parseHeartbeat', (value) => {
    const hb = parseHeartbeat(`name=${encodeHeartbeatValue(value)};uptime=1s`);
    expect(hb.fields['name']).toBe(value);
  });
});
