import { describe, expect, it } from 'vitest';
import { configDigest, withoutExportHeader } from '../../src/backups/config-text.js';
import { spreadOffsetMs } from '../../src/backups/schedules.service.js';

describe('configDigest', () => {
  const body = '# software id = ABCD-1234\n/system identity set name=r1\n';
  it('ignores the export timestamp line in both date formats RouterOS writes', () => {
    const a = configDigest(Buffer.from(`# 2025-10-29 12:50:00 by RouterOS 7.19.4\n${body}`));
    const b = configDigest(Buffer.from(`# nov/02/2025 03:00:01 by RouterOS 7.20\n${body}`));
    expect(a).toBe(b);
  });
  it('sees any other change, including one in the comment lines after the header', () => {
    const head = '# 2025-10-29 12:50:00 by RouterOS 7.19.4\n';
    expect(configDigest(Buffer.from(`${head}${body}`))).not.toBe(configDigest(Buffer.from(`${head}${body.replace('r1', 'r2')}`)));
    expect(configDigest(Buffer.from(`${head}${body}`))).not.toBe(configDigest(Buffer.from(`${head}# serial number = X\n${body}`)));
  });
  it('leaves an export without a header line whole', () => {
    expect(withoutExportHeader(Buffer.from(body)).toString()).toBe(body);
    expect(withoutExportHeader(Buffer.from(`/x\n# a by RouterOS 7\n`)).toString()).toBe('/x\n# a by RouterOS 7\n');
  });
});

describe('spreadOffsetMs', () => {
  it('places each site at a fixed offset inside the window, and spreads sites across it', () => {
    const offsets = Array.from({ length: 200 }, (_, i) => spreadOffsetMs('s1', `site-${i}`, 3_600));
    for (const o of offsets) expect(o).toBeGreaterThanOrEqual(0);
    for (const o of offsets) expect(o).toBeLessThan(3_600_000);
    expect(spreadOffsetMs('s1', 'site-7', 3_600)).toBe(offsets[7]);
    // 200 sites over four quarters of the hour: none is empty.
    const quarters = new Set(offsets.map((o) => Math.floor(o / 900_000)));
    expect(quarters.size).toBe(4);
    expect(spreadOffsetMs('s1', 'site-1', 0)).toBe(0);
  });
});
