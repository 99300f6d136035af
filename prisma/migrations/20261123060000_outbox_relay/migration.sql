-- AlterTable
ALTER TABLE "outbox" ADD COLUMN "relayed_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "outbox_relayed_at_idx" ON "outbox"("relayed_at");
