-- Issue 12, items 3 and 6.
-- Per-tenant webhook signing secrets: one row per org, the secret sealed (AES-256-GCM under a
-- subkey of SIGNING_KEY, the org id as associated data; src/webhooks/secret.service.ts), and the
-- previous secret kept, sealed the same way, until its grace period ends.

-- CreateTable
CREATE TABLE "webhook_secret" (
    "org_id" TEXT NOT NULL,
    "secret_enc" BYTEA NOT NULL,
    "previous_enc" BYTEA,
    "previous_until" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "rotated_at" TIMESTAMPTZ(3),

    CONSTRAINT "webhook_secret_pkey" PRIMARY KEY ("org_id")
);

-- Re-adoption of an existing site without its current device token: refused and recorded
-- (requested), until an operator approves the next attempt (approved until).

-- AlterTable
ALTER TABLE "site" ADD COLUMN "readoption_requested_at" TIMESTAMPTZ(3),
ADD COLUMN "readoption_requested_from" TEXT,
ADD COLUMN "readoption_approved_until" TIMESTAMPTZ(3);
