import { describe, expect, it } from 'vitest';
import { BackupKeyMissing, openBackup, sealBackup, type BackupKey } from '../../src/backups/backup-crypto.js';

const k1: BackupKey = { id: 'k1', key: Buffer.alloc(32, 1) };
const k2: BackupKey = { id: 'k2', key: Buffer.alloc(32, 2) };
const PATH = '9a9a3e6f-1b1a-4b1a-8c1a-1e1a1a1a1a1a/1700000000.rsc';
const EXPORT = Buffer.from('# 2025-01-01 by RouterOS 7.16\n/system identity set name=r1\n');

describe('backup encryption at rest', () => {
  it('round-trips under the current key and hides the content', () => {
    const blob = sealBackup([k1], PATH, EXPORT);
    expect(blob.includes('identity')).toBe(false);
    expect(openBackup([k1], PATH, blob).equals(EXPORT)).toBe(true);
  });

  it('opens a blob of an older key after rotation, and names a key that is gone', () => {
    const old = sealBackup([k1], PATH, EXPORT);
    expect(openBackup([k2, k1], PATH, old).equals(EXPORT)).toBe(true);
    expect(sealBackup([k2, k1], PATH, EXPORT).includes('k2')).toBe(true);
    expect(() => openBackup([k2], PATH, old)).toThrow(BackupKeyMissing);
  });

  it('refuses an altered blob and one moved to another path', () => {
    const blob = sealBackup([k1], PATH, EXPORT);
    const altered = Buffer.from(blob);
    altered[altered.length - 20]! ^= 1;
    expect(() => openBackup([k1], PATH, altered)).toThrow();
    expect(() => openBackup([k1], PATH.replace('9a9a', '8b8b'), blob)).toThrow();
  });

  it('returns content stored before encryption (no NUL-led header) as it is', () => {
    expect(openBackup([k1], PATH, EXPORT).equals(EXPORT)).toBe(true);
  });
});
