import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { safePath } from '../../src/ui/static.js';
import { diffLineKinds, diffStats } from '../../ui/src/lib/diff.js';
import { absoluteTime, bytes, duration, matches, percent, relativeTime } from '../../ui/src/lib/format.js';
import { tokenize, type TokenType } from '../../ui/src/lib/routeros-highlight.js';

// Pure logic behind the dashboard: what times, sizes and statuses read like, how RouterOS scripts
// are highlighted, and which /ui paths may map to files.

describe('relative and absolute times', () => {
  const now = Date.parse('2026-11-23T12:00:00Z');
  it('reads as seconds, minutes, hours or days ago, and in the future', () => {
    expect(relativeTime('2026-11-23T12:00:00Z', now)).toBe('just now');
    expect(relativeTime('2026-11-23T11:59:48Z', now)).toBe('12 s ago');
    expect(relativeTime('2026-11-23T11:55:00Z', now)).toBe('5 min ago');
    expect(relativeTime('2026-11-23T09:00:00Z', now)).toBe('3 h ago');
    expect(relativeTime('2026-11-19T12:00:00Z', now)).toBe('4 d ago');
    expect(relativeTime('2026-11-23T12:05:00Z', now)).toBe('in 5 min');
  });

  it('shows the absolute time with its zone', () => {
    expect(absoluteTime('2026-11-23T14:05:09.123Z', 'UTC')).toBe('2026-11-23 14:05:09 UTC');
    expect(absoluteTime('2026-11-23T14:05:09Z', 'Europe/Berlin')).toBe('2026-11-23 15:05:09 GMT+1');
  });

  it('gives durations in the two largest units', () => {
    expect(duration(0)).toBe('0 s');
    expect(duration(45)).toBe('45 s');
    expect(duration(3900)).toBe('1 h 5 min');
    expect(duration(3600)).toBe('1 h');
    expect(duration(2 * 86_400 + 3 * 3600 + 59)).toBe('2 d 3 h');
  });

  it('formats sizes and percentages for people', () => {
    expect(bytes(512)).toBe('512 B');
    expect(bytes(12_598)).toBe('12.3 KiB');
    expect(bytes(850_000_000)).toBe('810.6 MiB');
    expect(percent(99.98123)).toBe('99.98 %');
    expect(percent(100)).toBe('100 %');
  });

  it('searches any field, case-insensitively, ignoring empty ones', () => {
    expect(matches('hq', ['HQ-Router', null])).toBe(true);
    expect(matches(' 7.16 ', [null, '7.16.2 (stable)'])).toBe(true);
    expect(matches('branch', ['HQ-Router', undefined])).toBe(false);
    expect(matches('', [null])).toBe(true);
  });
});

describe('RouterOS highlighting', () => {
  const kinds = (src: string): [TokenType, string][] =>
    tokenize(src).filter((t) => t.type !== 'text').map((t) => [t.type, t.text]);

  it('gives back the exact source text', () => {
    const src = '# set up\n:local addr "10.0.0.1/24"\n/ip address add address=$addr interface=ether2 comment="a \\"b\\""\n:put [/system identity get name];\n';
    expect(tokenize(src).map((t) => t.text).join('')).toBe(src);
  });

  it('tells menus, commands, arguments, strings, variables and comments apart', () => {
    expect(kinds('/ip firewall filter add chain=forward comment="guest"')).toEqual([
      ['path', '/ip'], ['path', 'firewall'], ['path', 'filter'], ['command', 'add'],
      ['param', 'chain'], ['param', 'comment'], ['string', '"guest"'],
    ]);
    // `#` starts a comment at the start of a line or after `;` (help.mikrotik.com/docs/spaces/ROS/pages/47579229).
    expect(kinds(':local x [/system identity get name]; # after a semicolon')).toEqual([
      ['keyword', ':local'], ['punct', '['], ['path', '/system'], ['path', 'identity'], ['command', 'get'], ['punct', ']'], ['punct', ';'],
      ['comment', '# after a semicolon'],
    ]);
    expect(kinds(':put "a" # no comment here')).toEqual([['keyword', ':put'], ['string', '"a"']]);
    expect(kinds('  # a comment line\n:put $x')).toEqual([['comment', '# a comment line'], ['keyword', ':put'], ['variable', '$x']]);
  });

  it('survives unterminated strings and lone symbols', () => {
    for (const src of ['"open', '$', '$"quoted var', '/', ':', '[[]]{', '\\']) {
      expect(tokenize(src).map((t) => t.text).join('')).toBe(src);
    }
  });
});

describe('dashboard file paths', () => {
  const root = resolve('/srv/tikops/dist/ui');
  it('maps paths inside the build folder to files', () => {
    expect(safePath(root, 'index.html')).toBe(`${root}/index.html`);
    expect(safePath(root, 'assets/index-BEWfo3yr.js')).toBe(`${root}/assets/index-BEWfo3yr.js`);
  });

  it('refuses every path that could leave it', () => {
    for (const rel of ['../package.json', 'assets/../../x', '..', './index.html', 'a//b', '/etc/passwd', 'a\\..\\b', 'a\0.js', '']) {
      expect(safePath(root, rel), rel).toBeNull();
    }
  });
});

describe('reading a unified diff of two backups', () => {
  it('tells headers, hunks, additions, removals and context apart, even a removed line starting with --', () => {
    const lines = [
      '===================================================================',
      '--- 1700000000.rsc\t2026-12-01T03:00:00Z',
      '+++ 1700003600.rsc\t2026-12-01T04:00:00Z',
      '@@ -1,3 +1,3 @@',
      '-# 2026-12-01 03:00:00 by RouterOS 7.16.2',
      '+# 2026-12-01 04:00:00 by RouterOS 7.16.2',
      ' /system identity',
      '--- not a header',
      '+++ not a header either',
      '\\ No newline at end of file',
    ];
    const kinds = diffLineKinds(lines);
    expect(kinds).toEqual(['meta', 'meta', 'meta', 'hunk', 'del', 'add', 'ctx', 'del', 'add', 'meta']);
    expect(diffStats(kinds)).toEqual({ added: 2, removed: 2 });
  });

  it('counts nothing changed in a diff of identical backups (headers only)', () => {
    const kinds = diffLineKinds(['===', '--- a.rsc', '+++ b.rsc']);
    expect(diffStats(kinds)).toEqual({ added: 0, removed: 0 });
  });
});
