-- site_sample partitioned by day (RANGE on "at", UTC days), so raw-sample retention drops whole
-- partitions instead of deleting ~290 M rows a day one by one (and vacuuming them). Prisma does
-- not model partitioning: schema.prisma keeps the model as it was and this is hand-written.
-- The prune job (src/fleet/prune.service.ts) creates the partitions of today and the next days,
-- rolls up and drops the days past SAMPLE_RAW_RETENTION_HOURS, and prunes the DEFAULT partition
-- (samples of a day with no partition yet) row by row as before.
-- Partition names: site_sample_pYYYYMMDD (the UTC day), site_sample_default.

ALTER TABLE "site_sample" RENAME TO "site_sample_old";
ALTER TABLE "site_sample_old" RENAME CONSTRAINT "site_sample_pkey" TO "site_sample_old_pkey";
ALTER TABLE "site_sample_old" RENAME CONSTRAINT "site_sample_site_id_fkey" TO "site_sample_old_site_id_fkey";
ALTER INDEX "site_sample_at_idx" RENAME TO "site_sample_old_at_idx";

-- CreateTable
CREATE TABLE "site_sample" (
    "site_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "cpu_load" INTEGER,
    "memory_free" BIGINT,
    "disk_free" BIGINT,
    "uptime" INTEGER,

    CONSTRAINT "site_sample_pkey" PRIMARY KEY ("site_id","at")
) PARTITION BY RANGE ("at");

-- CreateIndex
CREATE INDEX "site_sample_at_idx" ON "site_sample" USING BRIN ("at");

-- AddForeignKey
ALTER TABLE "site_sample" ADD CONSTRAINT "site_sample_site_id_fkey" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "site_sample_default" PARTITION OF "site_sample" DEFAULT;

-- One partition per UTC day that holds samples, and for today and the next 3 days.
DO $$
DECLARE
  d date;
BEGIN
  FOR d IN
    SELECT DISTINCT (at AT TIME ZONE 'UTC')::date FROM "site_sample_old"
    UNION
    SELECT g::date FROM generate_series((now() AT TIME ZONE 'UTC')::date, (now() AT TIME ZONE 'UTC')::date + 3, interval '1 day') g
  LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF "site_sample" FOR VALUES FROM (%L) TO (%L)',
      'site_sample_p' || to_char(d, 'YYYYMMDD'), to_char(d, 'YYYY-MM-DD') || ' 00:00:00+00',
      to_char(d + 1, 'YYYY-MM-DD') || ' 00:00:00+00');
  END LOOP;
END $$;

INSERT INTO "site_sample" ("site_id", "at", "cpu_load", "memory_free", "disk_free", "uptime")
SELECT "site_id", "at", "cpu_load", "memory_free", "disk_free", "uptime" FROM "site_sample_old";

DROP TABLE "site_sample_old";
