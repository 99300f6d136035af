import { describe, expect, it } from 'vitest';
import { oncePer } from '../../src/lib/throttle.js';

describe('oncePer', () => {
  it('lets the first report through, then one per interval with the number held back', () => {
    let now = 1_000;
    const seen: [number, string][] = [];
    const report = oncePer(30_000, (held: number, what: string) => seen.push([held, what]), () => now);
    report('a');
    for (let i = 0; i < 300; i++) {
      now += 100; // ioredis retrying every 100 ms for 30 s
      report(`r${i}`);
    }
    expect(seen).toEqual([[0, 'a'], [299, 'r299']]);
    now += 29_999;
    report('quiet');
    expect(seen).toHaveLength(2);
    now += 1;
    report('later');
    expect(seen.at(-1)).toEqual([1, 'later']);
  });
});
