-- Sites you can organise and find (issue 9, item 1): tags and metadata, and an index for each
-- filter of GET /site; the org's recent jobs for GET /fleet/summary. pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may
-- create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- AlterTable
ALTER TABLE "site" ADD COLUMN "tags" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
ADD COLUMN "metadata" JSONB NOT NULL DEFAULT '{}';

-- DropIndex
DROP INDEX "site_org_id_created_at_idx";

-- CreateIndex
CREATE INDEX "site_org_id_created_at_id_idx" ON "site"("org_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "site_tags_idx" ON "site" USING GIN ("tags");

-- CreateIndex
CREATE INDEX "site_org_id_software_version_idx" ON "site"("org_id", "software_version");

-- CreateIndex
CREATE INDEX "site_org_id_model_idx" ON "site"("org_id", "model");

-- CreateIndex
CREATE INDEX "site_org_id_offline_since_idx" ON "site"("org_id", "offline_since");

-- CreateIndex
CREATE INDEX "site_name_idx" ON "site" USING GIN ("name" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "site_identity_idx" ON "site" USING GIN ("identity" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "site_fault_site_id_resolved_at_idx" ON "site_fault"("site_id", "resolved_at");

-- CreateIndex
CREATE INDEX "job_org_id_created_at_idx" ON "job"("org_id", "created_at");
