-- CreateTable
CREATE TABLE "site_management" (
    "site_id" UUID NOT NULL,
    "address" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    "use_tls" BOOLEAN NOT NULL DEFAULT true,
    "verify_tls" BOOLEAN NOT NULL DEFAULT true,
    "ca_pem" TEXT,
    "username" TEXT NOT NULL,
    "password_enc" BYTEA NOT NULL,
    "poll_script_name" TEXT NOT NULL DEFAULT 'tikops-poll',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "site_management_pkey" PRIMARY KEY ("site_id")
);

-- AddForeignKey
ALTER TABLE "site_management" ADD CONSTRAINT "site_management_site_id_fkey" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE CASCADE ON UPDATE CASCADE;
