-- Job output and error text (issue 9, item 3): what the payload printed and its error message, as
-- the router reported them with its done/fail callback.

-- AlterTable
ALTER TABLE "job" ADD COLUMN "output" TEXT,
ADD COLUMN "error" TEXT,
ADD COLUMN "output_truncated" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN "output_supported" BOOLEAN;
