-- CreateEnum
CREATE TYPE "JobState" AS ENUM ('queued', 'delivered', 'started', 'completed', 'failed', 'cancelled', 'timed_out');

-- CreateEnum
CREATE TYPE "JobEventType" AS ENUM ('created', 'delivered', 'lease_expired', 'started', 'completed', 'failed', 'cancelled', 'timed_out');

-- CreateTable
CREATE TABLE "site" (
    "id" UUID NOT NULL,
    "org_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "token_version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "site_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "job" (
    "id" UUID NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "site_id" UUID NOT NULL,
    "org_id" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "idempotency_key" UUID NOT NULL,
    "request_hash" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "script" TEXT NOT NULL,
    "express_execute" BOOLEAN NOT NULL,
    "needs_acknowledgement" BOOLEAN NOT NULL,
    "should_backup" BOOLEAN NOT NULL,
    "associated_backup" TEXT,
    "notify_url" TEXT,
    "state" "JobState" NOT NULL DEFAULT 'queued',
    "attempt" INTEGER NOT NULL DEFAULT 0,
    "lease_until" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" TIMESTAMPTZ(3),
    "started_at" TIMESTAMPTZ(3),
    "completed_at" TIMESTAMPTZ(3),
    "failed_at" TIMESTAMPTZ(3),
    "cancelled_at" TIMESTAMPTZ(3),

    CONSTRAINT "job_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "job_event" (
    "id" BIGSERIAL NOT NULL,
    "job_id" UUID NOT NULL,
    "type" "JobEventType" NOT NULL,
    "attempt" INTEGER NOT NULL,
    "detail" JSONB,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "job_event_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "site_org_id_created_at_idx" ON "site"("org_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "job_seq_key" ON "job"("seq");

-- CreateIndex
CREATE UNIQUE INDEX "job_token_key" ON "job"("token");

-- CreateIndex
CREATE INDEX "job_site_id_seq_idx" ON "job"("site_id", "seq");

-- CreateIndex
CREATE INDEX "job_state_lease_until_idx" ON "job"("state", "lease_until");

-- CreateIndex
CREATE UNIQUE INDEX "job_site_id_idempotency_key_key" ON "job"("site_id", "idempotency_key");

-- CreateIndex
CREATE INDEX "job_event_job_id_id_idx" ON "job_event"("job_id", "id");

-- AddForeignKey
ALTER TABLE "job" ADD CONSTRAINT "job_site_id_fkey" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "job_event" ADD CONSTRAINT "job_event_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "job"("id") ON DELETE CASCADE ON UPDATE CASCADE;
