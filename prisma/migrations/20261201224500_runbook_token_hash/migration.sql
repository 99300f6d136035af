-- Runbook tokens are stored only as a SHA-256 (src/tokens/runbook-token.ts). New runbooks derive
-- their token from their id; a runbook created before keeps its random token (routers may still be
-- handed its bootstrap command), which stays in "legacy_token" until the runbook is revoked.
ALTER TABLE "runbook" ADD COLUMN "token_hash" TEXT;
UPDATE "runbook" SET "token_hash" = encode(sha256(convert_to("token", 'UTF8')), 'hex');
ALTER TABLE "runbook" ALTER COLUMN "token_hash" SET NOT NULL;
DROP INDEX "runbook_token_key";
ALTER TABLE "runbook" RENAME COLUMN "token" TO "legacy_token";
ALTER TABLE "runbook" ALTER COLUMN "legacy_token" DROP NOT NULL;
UPDATE "runbook" SET "legacy_token" = NULL WHERE "revoked_at" IS NOT NULL;
CREATE UNIQUE INDEX "runbook_token_hash_key" ON "runbook"("token_hash");
