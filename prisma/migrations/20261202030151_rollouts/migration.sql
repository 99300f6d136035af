-- Staged rollouts (issue 9, item 2): a rollout, its snapshot of targets (one row per site, with
-- the job it became), its events (the webhooks rollout.*), and the job's link to its rollout (the
-- job_event trigger tells the rollout worker when such a job settles).

-- CreateEnum
CREATE TYPE "RolloutState" AS ENUM ('pending_approval', 'scheduled', 'running', 'paused', 'completed', 'cancelled');

-- CreateEnum
CREATE TYPE "RolloutTargetState" AS ENUM ('pending', 'dispatched', 'skipped_offline', 'rejected', 'cancelled');

-- CreateTable
CREATE TABLE "rollout" (
    "id" UUID NOT NULL,
    "org_id" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "script" TEXT NOT NULL,
    "make_backup" BOOLEAN NOT NULL,
    "notify_url" TEXT,
    "targets" JSONB NOT NULL,
    "canary_site_ids" UUID[] NOT NULL,
    "batch_size" INTEGER NOT NULL,
    "batch_interval_seconds" INTEGER NOT NULL,
    "max_failures" INTEGER,
    "max_failure_ratio" DOUBLE PRECISION,
    "skip_offline" BOOLEAN NOT NULL,
    "requires_approval" BOOLEAN NOT NULL,
    "launch_at" TIMESTAMPTZ(3),
    "state" "RolloutState" NOT NULL,
    "pause_reason" TEXT,
    "failure_baseline" INTEGER NOT NULL DEFAULT 0,
    "next_batch_at" TIMESTAMPTZ(3),
    "batches" INTEGER NOT NULL DEFAULT 0,
    "created_by" TEXT NOT NULL,
    "approved_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "approved_at" TIMESTAMPTZ(3),
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "rollout_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rollout_target" (
    "rollout_id" UUID NOT NULL,
    "site_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "canary" BOOLEAN NOT NULL,
    "state" "RolloutTargetState" NOT NULL DEFAULT 'pending',
    "batch" INTEGER,
    "job_id" UUID,
    "reason" TEXT,

    CONSTRAINT "rollout_target_pkey" PRIMARY KEY ("rollout_id","site_id")
);

-- CreateTable
CREATE TABLE "rollout_event" (
    "id" BIGSERIAL NOT NULL,
    "rollout_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "detail" JSONB,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "webhook_attempts" INTEGER NOT NULL DEFAULT 0,
    "webhook_outcome" "WebhookOutcome",

    CONSTRAINT "rollout_event_pkey" PRIMARY KEY ("id")
);

-- AlterTable
ALTER TABLE "job" ADD COLUMN "rollout_id" UUID;

-- CreateIndex
CREATE INDEX "rollout_org_id_created_at_id_idx" ON "rollout"("org_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "rollout_state_next_batch_at_idx" ON "rollout"("state", "next_batch_at");

-- CreateIndex
CREATE INDEX "rollout_target_rollout_id_position_idx" ON "rollout_target"("rollout_id", "position");

-- CreateIndex
CREATE INDEX "rollout_target_site_id_idx" ON "rollout_target"("site_id");

-- CreateIndex
CREATE INDEX "rollout_event_rollout_id_id_idx" ON "rollout_event"("rollout_id", "id");

-- CreateIndex (a rollout step asks whether any of its jobs is in flight and how many failed: both
-- answered from this index without reading every job of the rollout)
CREATE INDEX "job_rollout_id_state_idx" ON "job"("rollout_id", "state");

-- AddForeignKey
ALTER TABLE "rollout_target" ADD CONSTRAINT "rollout_target_rollout_id_fkey" FOREIGN KEY ("rollout_id") REFERENCES "rollout"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rollout_target" ADD CONSTRAINT "rollout_target_site_id_fkey" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rollout_event" ADD CONSTRAINT "rollout_event_rollout_id_fkey" FOREIGN KEY ("rollout_id") REFERENCES "rollout"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "job" ADD CONSTRAINT "job_rollout_id_fkey" FOREIGN KEY ("rollout_id") REFERENCES "rollout"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- The job_event outbox trigger (as 20261202024536_safe_apply_rollback left it) also tells the rollout worker when a rollout's job settles (one
-- queue job per event; the worker's step is idempotent, so a repeat changes nothing), and a
-- rollout event with a notify_url becomes a webhook.
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
  IF j.rollout_id IS NOT NULL AND NEW.type::text IN ('completed', 'failed', 'cancelled', 'timed_out') THEN
    INSERT INTO outbox (queue, job_key, payload)
    VALUES ('rollout', 'rollout-event-' || NEW.id, jsonb_build_object('rolloutId', j.rollout_id::text))
    ON CONFLICT (job_key) DO NOTHING;
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION tikops_rollout_event_outbox() RETURNS trigger AS $$
BEGIN
  IF NEW.type IN ('started', 'paused', 'completed', 'cancelled')
     AND (SELECT notify_url FROM rollout WHERE id = NEW.rollout_id) IS NOT NULL THEN
    INSERT INTO outbox (queue, job_key, payload)
    VALUES ('webhook', 'rollout-event-webhook-' || NEW.id, jsonb_build_object('rolloutEventId', NEW.id::text))
    ON CONFLICT (job_key) DO NOTHING;
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "rollout_event_outbox" AFTER INSERT ON "rollout_event"
FOR EACH ROW EXECUTE FUNCTION tikops_rollout_event_outbox();
