import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { BackupKey, Config } from '../config.js';
import { deriveKey } from '../lib/crypto.js';

// Backups are encrypted at rest with AES-256-GCM under the first of BACKUP_KEYS; the key id travels
// in each blob, so a backup written under an older key still opens after rotation (keep the old key
// listed until its backups are pruned). The blob's path is the additional data: a blob moved to
// another path (another site) does not open. Layout: MAGIC | id length | id | IV (12) | ciphertext | tag (16).
// MAGIC starts with a NUL byte, which a RouterOS export never contains, so a backup stored before
// encryption (plain text) is told apart and returned as it is.

export type { BackupKey };

const MAGIC = Buffer.from('\0tkb1', 'latin1');
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class BackupKeyMissing extends Error {
  constructor(readonly keyId: string) {
    super(`backup encrypted under key "${keyId}", which BACKUP_KEYS no longer lists`);
    this.name = 'BackupKeyMissing';
  }
}

/** The configured BACKUP_KEYS, or outside production (where they are required) one derived from SIGNING_KEY. */
export function backupKeys(config: Pick<Config, 'backup' | 'signingKey'>): readonly BackupKey[] {
  return config.backup.keys ?? [{ id: 'dev', key: deriveKey(config.signingKey, 'backup-at-rest') }];
}

/** `content` encrypted under the first (current) key, bound to `path`. */
export function sealBackup(keys: readonly BackupKey[], path: string, content: Buffer): Buffer {
  const current = keys[0]!;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', current.key, iv);
  cipher.setAAD(Buffer.from(path, 'utf8'));
  const id = Buffer.from(current.id, 'utf8');
  return Buffer.concat([MAGIC, Buffer.from([id.length]), id, iv, cipher.update(content), cipher.final(), cipher.getAuthTag()]);
}

/** The plain content of a stored blob; throws if it was altered, moved, or its key is gone. */
export function openBackup(keys: readonly BackupKey[], path: string, blob: Buffer): Buffer {
  if (blob.length < MAGIC.length || !blob.subarray(0, MAGIC.length).equals(MAGIC)) return blob;
  const idEnd = MAGIC.length + 1 + blob[MAGIC.length]!;
  const keyId = blob.subarray(MAGIC.length + 1, idEnd).toString('utf8');
  const key = keys.find((k) => k.id === keyId);
  if (!key) throw new BackupKeyMissing(keyId);
  const decipher = createDecipheriv('aes-256-gcm', key.key, blob.subarray(idEnd, idEnd + IV_BYTES));
  decipher.setAAD(Buffer.from(path, 'utf8'));
  decipher.setAuthTag(blob.subarray(blob.length - TAG_BYTES));
  return Buffer.concat([decipher.update(blob.subarray(idEnd + IV_BYTES, blob.length - TAG_BYTES)), decipher.final()]);
}
