import { deriveKey, hmacBase64url, safeEqual } from '../lib/crypto.js';

// Callback URLs carry an HMAC over (job id, purpose, delivery attempt): a URL from one delivery can
// never act on a later one, and no secret ever reaches the router. The purpose is a callback
// status (busy, done, fail) or `backup` for the pre-job backup upload; each purpose signs a
// different message, so no URL of one purpose verifies as another.

export const CALLBACK_STATUSES = ['busy', 'done', 'fail', 'confirmed'] as const;
export type CallbackStatus = (typeof CALLBACK_STATUSES)[number];
type Purpose = CallbackStatus | 'backup';

/** The widest attempt number a URL can carry; used to bound the wrapper size at job creation. */
export const MAX_ATTEMPT = 2_147_483_647;

/** Signed base URLs of one delivery's backup upload; the router appends its own query parameters. */
export interface BackupUrls {
  /** POST a part: the router appends `&part=<index>`. */
  part: string;
  /** POST the commit: the router appends `&parts=<count>&length=<bytes>`. */
  commit: string;
}

export interface CallbackSigner {
  url(jobId: string, status: CallbackStatus, attempt: number): string;
  verify(jobId: string, status: CallbackStatus, attempt: number, signature: string): boolean;
  /** The backup upload URLs of one delivery attempt (one signature serves both). */
  backupUrls(jobId: string, attempt: number): BackupUrls;
  verifyBackup(jobId: string, attempt: number, signature: string): boolean;
}

export function createCallbackSigner(signingKey: string, publicUrl: string): CallbackSigner {
  const key = deriveKey(signingKey, 'job-callback');
  const sign = (jobId: string, purpose: Purpose, attempt: number): string =>
    hmacBase64url(key, `${jobId.toLowerCase()}.${purpose}.${attempt}`);
  return {
    url: (jobId, status, attempt) =>
      `${publicUrl}/job/${jobId}/update?status=${status}&attempt=${attempt}&signature=${sign(jobId, status, attempt)}`,
    verify: (jobId, status, attempt, signature) => safeEqual(sign(jobId, status, attempt), signature),
    backupUrls: (jobId, attempt) => {
      const query = `?attempt=${attempt}&signature=${sign(jobId, 'backup', attempt)}`;
      return { part: `${publicUrl}/job/${jobId}/backup${query}`, commit: `${publicUrl}/job/${jobId}/backup/commit${query}` };
    },
    verifyBackup: (jobId, attempt, signature) => safeEqual(sign(jobId, 'backup', attempt), signature),
  };
}
