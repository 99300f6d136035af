-- Configuration history (issue 9, item 4): a backup whose configuration equals the site's latest
-- one is not stored again (the latest is marked checked instead); a differing one raises a
-- config_changed job event, which is also a webhook (config.changed). Backup schedules create
-- ordinary backup jobs, spread over a window.

-- AlterEnum
ALTER TYPE "JobEventType" ADD VALUE 'backup_unchanged';
ALTER TYPE "JobEventType" ADD VALUE 'config_changed';

-- AlterTable: existing backups count as checked when they were made; their configuration hash is
-- unknown (NULL), so the next backup of each site is stored whatever it holds.
ALTER TABLE "backup" ADD COLUMN "config_sha256" TEXT,
ADD COLUMN "checked_at" TIMESTAMPTZ(3);
UPDATE "backup" SET "checked_at" = "created_at";
ALTER TABLE "backup" ALTER COLUMN "checked_at" SET NOT NULL,
ALTER COLUMN "checked_at" SET DEFAULT CURRENT_TIMESTAMP;

-- Retention counts from the last time a configuration was seen, not from when it was first stored.
DROP INDEX "backup_created_at_idx";
CREATE INDEX "backup_checked_at_idx" ON "backup"("checked_at");

-- CreateTable
CREATE TABLE "backup_schedule" (
    "id" UUID NOT NULL,
    "org_id" TEXT NOT NULL,
    "site_id" UUID,
    "tag" TEXT,
    "cron" TEXT NOT NULL,
    "time_zone" TEXT NOT NULL,
    "spread_seconds" INTEGER NOT NULL,
    "notify_url" TEXT,
    "next_run_at" TIMESTAMPTZ(3) NOT NULL,
    "last_run_at" TIMESTAMPTZ(3),
    "created_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "backup_schedule_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "backup_schedule_one_target" CHECK (("site_id" IS NULL) <> ("tag" IS NULL))
);

-- CreateIndex
CREATE INDEX "backup_schedule_next_run_at_idx" ON "backup_schedule"("next_run_at");
CREATE INDEX "backup_schedule_org_id_created_at_id_idx" ON "backup_schedule"("org_id", "created_at", "id");
CREATE INDEX "backup_schedule_site_id_idx" ON "backup_schedule"("site_id");

-- AddForeignKey
ALTER TABLE "backup_schedule" ADD CONSTRAINT "backup_schedule_site_id_fkey" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- config_changed events become webhooks too (the type list of the job_event outbox trigger).
CREATE OR REPLACE FUNCTION tikops_job_event_outbox() RETURNS trigger AS $$
DECLARE
  j RECORD;
BEGIN
  SELECT notify_url, express_execute INTO j FROM job WHERE id = NEW.job_id;
  IF j.notify_url IS NOT NULL
     AND NEW.type::text IN ('delivered', 'started', 'completed', 'failed', 'cancelled', 'timed_out', 'config_changed') THEN
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
