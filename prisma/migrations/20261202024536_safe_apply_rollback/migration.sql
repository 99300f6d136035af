-- Safe apply with automatic rollback (issue 13, item 8; docs/rollback.md): a job may ask the router
-- to revert to an on-device backup unless tikops confirms the change within N seconds.

-- AlterEnum
ALTER TYPE "JobState" ADD VALUE 'awaiting_confirmation';
ALTER TYPE "JobState" ADD VALUE 'rolled_back';

-- AlterEnum
ALTER TYPE "JobEventType" ADD VALUE 'awaiting_confirmation';
ALTER TYPE "JobEventType" ADD VALUE 'confirmed';
ALTER TYPE "JobEventType" ADD VALUE 'rolled_back';
-- Express execute (issue 13, item 4): the router accepted the trigger but no poll followed in time.
ALTER TYPE "JobEventType" ADD VALUE 'express_unconfirmed';

-- AlterEnum
ALTER TYPE "SiteFaultType" ADD VALUE 'config_rolled_back';

-- AlterTable
ALTER TABLE "job" ADD COLUMN "rollback_after_seconds" INTEGER;

-- job.rolled_back is a webhook like the other outcomes (src/webhooks/webhooks.repo.ts); config_changed as 20261202015841_config_history made it.
CREATE OR REPLACE FUNCTION tikops_job_event_outbox() RETURNS trigger AS $$
DECLARE
  j RECORD;
BEGIN
  SELECT notify_url, express_execute INTO j FROM job WHERE id = NEW.job_id;
  IF j.notify_url IS NOT NULL
     AND NEW.type::text IN ('delivered', 'started', 'completed', 'failed', 'cancelled', 'timed_out', 'config_changed', 'rolled_back') THEN
    INSERT INTO outbox (queue, job_key, payload)
    VALUES ('webhook', 'event-' || NEW.id, jsonb_build_object('eventId', NEW.id::text))
    ON CONFLICT (job_key) DO NOTHING;
  END IF;
  IF j.express_execute AND NEW.type::text = 'created' THEN
    INSERT INTO outbox (queue, job_key, payload)
    VALUES ('express', 'express-' || NEW.job_id, jsonb_build_object('jobId', NEW.job_id::text))
    ON CONFLICT (job_key) DO NOTHING;
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
