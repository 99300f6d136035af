-- Fleet-wide views (issue 9, item 5): GET /jobs pages the org's jobs newest first by seq;
-- GET /faults pages faults newest first (joined to the org's sites).

-- CreateIndex
CREATE INDEX "job_org_id_seq_idx" ON "job"("org_id", "seq");

-- CreateIndex
CREATE INDEX "site_fault_created_at_id_idx" ON "site_fault"("created_at", "id");
