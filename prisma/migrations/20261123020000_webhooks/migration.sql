-- CreateEnum
CREATE TYPE "WebhookOutcome" AS ENUM ('delivered', 'retrying', 'gave_up', 'refused');

-- CreateTable
CREATE TABLE "webhook_attempt" (
    "id" BIGSERIAL NOT NULL,
    "job_id" UUID NOT NULL,
    "event_id" BIGINT NOT NULL,
    "delivery_id" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "url" TEXT NOT NULL,
    "status_code" INTEGER,
    "duration_ms" INTEGER NOT NULL,
    "error" TEXT,
    "outcome" "WebhookOutcome" NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_attempt_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "webhook_attempt_job_id_id_idx" ON "webhook_attempt"("job_id", "id");

-- CreateIndex
CREATE INDEX "webhook_attempt_event_id_id_idx" ON "webhook_attempt"("event_id", "id");

-- AddForeignKey
ALTER TABLE "webhook_attempt" ADD CONSTRAINT "webhook_attempt_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "job"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_attempt" ADD CONSTRAINT "webhook_attempt_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "job_event"("id") ON DELETE CASCADE ON UPDATE CASCADE;
