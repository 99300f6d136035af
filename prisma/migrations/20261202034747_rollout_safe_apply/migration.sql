-- Rollouts with safe apply (issue 9, item 2 and issue 13, item 8): each job of a rollout may carry
-- rollback_after_seconds; a job that rolled back settles its rollout target as a failure, so the
-- rollout is stepped on rolled_back events too.

-- AlterTable
ALTER TABLE "rollout" ADD COLUMN "rollback_after_seconds" INTEGER;

CREATE OR REPLACE FUNCTION tikops_job_event_outbox() RETURNS trigger AS $$
DECLARE
  j RECORD;
BEGIN
  SELECT notify_url, express_execute, rollout_id INTO j FROM job WHERE id = NEW.job_id;
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
  IF j.rollout_id IS NOT NULL AND NEW.type::text IN ('completed', 'failed', 'cancelled', 'timed_out', 'rolled_back') THEN
    INSERT INTO outbox (queue, job_key, payload)
    VALUES ('rollout', 'rollout-event-' || NEW.id, jsonb_build_object('rolloutId', j.rollout_id::text))
    ON CONFLICT (job_key) DO NOTHING;
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
