-- AlterEnum
ALTER TYPE "JobEventType" ADD VALUE 'express_requested';
ALTER TYPE "JobEventType" ADD VALUE 'express_succeeded';
ALTER TYPE "JobEventType" ADD VALUE 'express_failed';
ALTER TYPE "JobEventType" ADD VALUE 'backup_stored';
ALTER TYPE "JobEventType" ADD VALUE 'backup_failed';

-- AlterTable
ALTER TABLE "job" ADD COLUMN "lease_seconds" INTEGER NOT NULL DEFAULT 120,
ADD COLUMN "timeout_seconds" INTEGER NOT NULL DEFAULT 900,
ADD COLUMN "deadline_at" TIMESTAMPTZ(3),
ADD COLUMN "timed_out_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "outbox" (
    "id" BIGSERIAL NOT NULL,
    "queue" TEXT NOT NULL,
    "job_key" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "outbox_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "outbox_job_key_key" ON "outbox"("job_key");

-- CreateIndex
CREATE INDEX "job_state_deadline_at_idx" ON "job"("state", "deadline_at");

-- Transactional outbox: every job event that someone outside must hear about (a notify_url
-- webhook, an express-execute trigger) becomes an outbox row in the same transaction as the
-- transition, so no committed transition can lose its side effect. A worker relays rows into
-- BullMQ (job id = job_key, so a relay repeated after a crash does not double the work).
CREATE FUNCTION tikops_job_event_outbox() RETURNS trigger AS $$
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
  PERFORM pg_notify('tikops_outbox', '');
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "job_event_outbox" AFTER INSERT ON "job_event"
FOR EACH ROW EXECUTE FUNCTION tikops_job_event_outbox();
