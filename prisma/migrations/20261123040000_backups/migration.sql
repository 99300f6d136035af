-- CreateTable
CREATE TABLE "backup" (
    "path" TEXT NOT NULL,
    "site_id" UUID NOT NULL,
    "job_id" UUID,
    "size" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "content" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "backup_pkey" PRIMARY KEY ("path")
);

-- CreateTable
CREATE TABLE "backup_part" (
    "job_id" UUID NOT NULL,
    "attempt" INTEGER NOT NULL,
    "part" INTEGER NOT NULL,
    "content" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "backup_part_pkey" PRIMARY KEY ("job_id","attempt","part")
);

-- CreateIndex
CREATE INDEX "backup_site_id_created_at_idx" ON "backup"("site_id", "created_at");

-- CreateIndex
CREATE INDEX "backup_created_at_idx" ON "backup"("created_at");

-- CreateIndex
CREATE INDEX "backup_part_created_at_idx" ON "backup_part"("created_at");

-- AddForeignKey
ALTER TABLE "backup" ADD CONSTRAINT "backup_site_id_fkey" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "backup" ADD CONSTRAINT "backup_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "job"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "backup_part" ADD CONSTRAINT "backup_part_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "job"("id") ON DELETE CASCADE ON UPDATE CASCADE;
