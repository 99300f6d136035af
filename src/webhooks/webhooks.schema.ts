import { z } from 'zod';
import { uuid } from '../http/validate.js';

export const jobParams = z.object({
  siteId: uuid.meta({ description: 'The UUID of the site.' }),
  jobId: uuid.meta({ description: 'The UUID of the job.' }),
});

const OUTCOMES = ['delivered', 'retrying', 'gave_up', 'refused'] as const;

export const webhookAttempt = z
  .object({
    attempt: z.number().int().min(1),
    at: z.iso.datetime().meta({ description: 'When the attempt ended.', example: '2025-10-29T12:05:11Z' }),
    url: z.string().meta({ description: 'The notify_url posted to.' }),
    status_code: z.number().int().nullable().meta({ description: "The receiver's HTTP status; null when no response arrived (refused, network error, timeout).", example: 500 }),
    duration_ms: z.number().int().min(0),
    error: z.string().nullable().meta({ description: 'Why the attempt failed; null when delivered.', example: 'HTTP 500: Internal Server Error' }),
    outcome: z.enum(OUTCOMES).meta({
      description:
        '`delivered` (2xx), `retrying` (another attempt follows), `gave_up` (the last attempt of the retry window failed), `refused` (the destination is outside the outbound policy, or it answered with a redirect, which is never followed; never retried).',
    }),
  })
  .meta({ id: 'WebhookAttempt', description: 'One HTTP attempt at a webhook delivery.' });

export type AttemptDto = z.infer<typeof webhookAttempt>;

export const webhookDelivery = z
  .object({
    id: z
      .string()
      .regex(/^evt_[0-9]+$/)
      .meta({ description: 'The delivery id, sent as `id` and `Tikops-Delivery`; the same on every attempt. Receivers dedupe on it.', example: 'evt_1042' }),
    type: z.enum(['job.delivered', 'job.started', 'job.completed', 'job.failed', 'job.cancelled', 'job.timed_out', 'job.rolled_back', 'config.changed']),
    created_at: z.iso.datetime().meta({ description: 'When the job event happened.', example: '2025-10-29T12:05:10Z' }),
    state: z.enum(['pending', ...OUTCOMES]).meta({
      description: '`pending` before the first attempt, else the outcome of the latest attempt. `retrying` waits for the next one.',
    }),
    attempts: z.array(webhookAttempt).meta({ description: 'Every attempt, oldest first.' }),
  })
  .meta({ id: 'WebhookDelivery', description: "One job event announced to the job's notify_url (tikops addition), with every attempt at it." });

export type DeliveryDto = z.infer<typeof webhookDelivery>;
