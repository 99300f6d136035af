-- Hourly rollups of heartbeat samples (issue 10, item 2): raw samples are kept 48 hours; as they
-- are pruned, the same statement adds them to their site's hourly row (sums and counts, so an hour
-- pruned in two passes adds up), kept 90 days. The stats endpoints read both.

-- CreateTable
CREATE TABLE "site_sample_hourly" (
    "site_id" UUID NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "samples" INTEGER NOT NULL,
    "cpu_load_sum" BIGINT NOT NULL,
    "cpu_load_n" INTEGER NOT NULL,
    "memory_free_sum" BIGINT NOT NULL,
    "memory_free_n" INTEGER NOT NULL,
    "disk_free_sum" BIGINT NOT NULL,
    "disk_free_n" INTEGER NOT NULL,
    "uptime_max" INTEGER,

    CONSTRAINT "site_sample_hourly_pkey" PRIMARY KEY ("site_id","hour")
);

-- CreateIndex
CREATE INDEX "site_sample_hourly_hour_idx" ON "site_sample_hourly" USING BRIN ("hour");

-- AddForeignKey
ALTER TABLE "site_sample_hourly" ADD CONSTRAINT "site_sample_hourly_site_id_fkey" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE CASCADE ON UPDATE CASCADE;
