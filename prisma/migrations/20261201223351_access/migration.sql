-- Operator access (issue 12): scoped API keys, the audit log, and who created each job.

-- CreateTable
CREATE TABLE "api_key" (
    "id" UUID NOT NULL,
    "org_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "key_hash" BYTEA NOT NULL,
    "scopes" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_key_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_event" (
    "id" BIGSERIAL NOT NULL,
    "org_id" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "request_id" TEXT NOT NULL,
    "source" TEXT,
    "summary" JSONB NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "operator_session" (
    "id_hash" BYTEA NOT NULL,
    "org_id" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "scopes" TEXT,
    "key_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "operator_session_pkey" PRIMARY KEY ("id_hash")
);

-- AlterTable
ALTER TABLE "job" ADD COLUMN "created_by" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "api_key_key_hash_key" ON "api_key"("key_hash");

-- CreateIndex
CREATE INDEX "api_key_org_id_created_at_idx" ON "api_key"("org_id", "created_at");

-- CreateIndex
CREATE INDEX "operator_session_expires_at_idx" ON "operator_session"("expires_at");

-- CreateIndex
CREATE INDEX "operator_session_key_id_idx" ON "operator_session"("key_id");

-- AddForeignKey
ALTER TABLE "operator_session" ADD CONSTRAINT "operator_session_key_id_fkey" FOREIGN KEY ("key_id") REFERENCES "api_key"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- CreateIndex
CREATE INDEX "audit_event_org_id_id_idx" ON "audit_event"("org_id", "id");

-- CreateIndex
CREATE INDEX "audit_event_org_id_action_id_idx" ON "audit_event"("org_id", "action", "id");

-- CreateIndex
CREATE INDEX "audit_event_org_id_target_id_idx" ON "audit_event"("org_id", "target", "id");
