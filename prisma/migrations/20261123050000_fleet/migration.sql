-- CreateEnum
CREATE TYPE "SiteFaultType" AS ENUM ('site_offline', 'site_rebooted');

-- AlterTable
ALTER TABLE "site" ADD COLUMN "runbook_id" UUID,
ADD COLUMN "identity" TEXT,
ADD COLUMN "model" TEXT,
ADD COLUMN "board_name" TEXT,
ADD COLUMN "serial_number" TEXT,
ADD COLUMN "software_version" TEXT,
ADD COLUMN "software_id" TEXT,
ADD COLUMN "architecture_name" TEXT,
ADD COLUMN "routerboard" BOOLEAN,
ADD COLUMN "last_seen_at" TIMESTAMPTZ(3),
ADD COLUMN "last_seen_from" TEXT,
ADD COLUMN "offline_since" TIMESTAMPTZ(3),
ADD COLUMN "deleted_at" TIMESTAMPTZ(3),
ADD COLUMN "purge_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "runbook" (
    "id" UUID NOT NULL,
    "org_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "runbook_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "site_sample" (
    "site_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "cpu_load" INTEGER,
    "memory_free" BIGINT,
    "disk_free" BIGINT,
    "uptime" INTEGER,

    CONSTRAINT "site_sample_pkey" PRIMARY KEY ("site_id","at")
);

-- CreateTable
CREATE TABLE "site_fault" (
    "id" UUID NOT NULL,
    "site_id" UUID NOT NULL,
    "type" "SiteFaultType" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "resolved_at" TIMESTAMPTZ(3),
    "detected_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "detail" JSONB,

    CONSTRAINT "site_fault_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "site_purge_at_idx" ON "site"("purge_at");

-- CreateIndex
CREATE UNIQUE INDEX "site_org_id_serial_number_key" ON "site"("org_id", "serial_number");

-- CreateIndex
CREATE UNIQUE INDEX "runbook_token_key" ON "runbook"("token");

-- CreateIndex
CREATE INDEX "runbook_org_id_created_at_idx" ON "runbook"("org_id", "created_at");

-- CreateIndex
CREATE INDEX "site_sample_at_idx" ON "site_sample" USING BRIN ("at");

-- CreateIndex
CREATE INDEX "site_fault_site_id_created_at_idx" ON "site_fault"("site_id", "created_at");

-- CreateIndex
CREATE INDEX "site_fault_resolved_at_idx" ON "site_fault"("resolved_at");

-- CreateIndex
CREATE UNIQUE INDEX "site_fault_site_id_type_created_at_key" ON "site_fault"("site_id", "type", "created_at");

-- AddForeignKey
ALTER TABLE "site" ADD CONSTRAINT "site_runbook_id_fkey" FOREIGN KEY ("runbook_id") REFERENCES "runbook"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "site_sample" ADD CONSTRAINT "site_sample_site_id_fkey" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "site_fault" ADD CONSTRAINT "site_fault_site_id_fkey" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE CASCADE ON UPDATE CASCADE;
