import { deriveKey, hmacBase64url, safeEqual } from '../lib/crypto.js';

// Callback URLs carry an HMAC over (job id, status, delivery attempt): a URL from one delivery can
// never act on a later one, and no secret ever reaches the router.

export const CALLBACK_STATUSES = ['busy', 'done', 'fail'] as const;
export type CallbackStatus = (typeof CALLBACK_STATUSES)[number];

/** The widest attempt number a URL can carry; used to bound the wrapper size at job creation. */
export const MAX_ATTEMPT = 2_147_483_647;

export interface CallbackSigner {
  url(jobId: string, status: CallbackStatus, attempt: number): string;
  verify(jobId: string, status: CallbackStatus, attempt: number, signature: string): boolean;
}

export function createCallbackSigner(signingKey: string, publicUrl: string): CallbackSigner {
  const key = deriveKey(signingKey, 'job-callback');
  const sign = (jobId: string, status: CallbackStatus, attempt: number): string =>
    hmacBase64url(key, `${jobId.toLowerCase()}.${status}.${attempt}`);
  return {
    url: (jobId, status, attempt) =>
      `${publicUrl}/job/${jobId}/update?status=${status}&attempt=${attempt}&signature=${sign(jobId, status, attempt)}`,
    verify: (jobId, status, attempt, signature) => safeEqual(sign(jobId, status, attempt), signature),
  };
}
