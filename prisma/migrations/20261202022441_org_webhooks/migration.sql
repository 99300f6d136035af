-- Organisation-level webhooks (issue 9, item 5): endpoints an org subscribes to fleet events
-- (site.offline, site.online), and the events themselves. A trigger on site_fault writes the
-- event and one outbox row per subscribed endpoint in the same transaction as the fault change,
-- so an outage that opens or ends is announced at least once, whichever process recorded it.

-- CreateTable
CREATE TABLE "webhook_endpoint" (
    "id" UUID NOT NULL,
    "org_id" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "events" TEXT[] NOT NULL,
    "created_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_endpoint_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "org_event" (
    "id" BIGSERIAL NOT NULL,
    "org_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "site_id" UUID,
    "data" JSONB NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "org_event_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "webhook_endpoint_org_id_idx" ON "webhook_endpoint"("org_id");

-- CreateIndex
CREATE INDEX "org_event_at_idx" ON "org_event"("at");

CREATE FUNCTION tikops_site_fault_events() RETURNS trigger AS $$
DECLARE
  t TEXT;
  s RECORD;
  eid BIGINT;
BEGIN
  IF NEW.type::text <> 'site_offline' THEN RETURN NULL; END IF;
  IF TG_OP = 'INSERT' THEN
    t := 'site.offline';
  ELSIF OLD.resolved_at IS NULL AND NEW.resolved_at IS NOT NULL THEN
    t := 'site.online';
  ELSE
    RETURN NULL;
  END IF;
  SELECT org_id, name INTO s FROM site WHERE id = NEW.site_id;
  IF NOT EXISTS (SELECT 1 FROM webhook_endpoint WHERE org_id = s.org_id AND t = ANY(events)) THEN RETURN NULL; END IF;
  INSERT INTO org_event (org_id, type, site_id, data, at)
  VALUES (s.org_id, t, NEW.site_id,
          jsonb_build_object('site', jsonb_build_object('id', NEW.site_id, 'name', s.name),
                             'fault', jsonb_build_object('id', NEW.id, 'type', NEW.type::text,
                               'created_at', NEW.created_at, 'resolved_at', NEW.resolved_at)),
          COALESCE(NEW.resolved_at, NEW.created_at))
  RETURNING id INTO eid;
  INSERT INTO outbox (queue, job_key, payload)
  SELECT 'orgWebhook', 'org-event-' || eid || '-' || e.id, jsonb_build_object('eventId', eid::text, 'endpointId', e.id::text)
  FROM webhook_endpoint e WHERE e.org_id = s.org_id AND t = ANY(e.events)
  ON CONFLICT (job_key) DO NOTHING;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "site_fault_events" AFTER INSERT OR UPDATE OF "resolved_at" ON "site_fault"
FOR EACH ROW EXECUTE FUNCTION tikops_site_fault_events();
