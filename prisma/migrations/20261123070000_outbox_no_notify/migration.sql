-- The outbox trigger no longer calls pg_notify: NOTIFY takes a database-wide lock at commit, which
-- serialised every job-creating transaction behind one WAL flush at a time (~100 jobs/s measured).
-- Relays poll the outbox instead (a partial index keeps that cheap).
CREATE OR REPLACE FUNCTION tikops_job_event_outbox() RETURNS trigger AS $$
DECLARE
  j RECORD;
BEGIN
  SELECT notify_url, express_execute INTO j FROM job WHERE id = NEW.job_id;
  IF j.notify_url IS NOT NULL
     AND NEW.type::text IN ('delivered', 'started', 'completed', 'failed', 'cancelled', 'timed_out') THEN
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
