-- Every change of an API key that can end its use (revocation, expiry, scopes, deletion) is
-- announced on the channel api_key_changed with the key's id. NOTIFY is delivered at commit, so
-- every API process drops the key from its credential cache (src/http/credential-cache.ts) as
-- soon as the change is visible, whichever pod, CLI or session made it.
CREATE FUNCTION api_key_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('api_key_changed', OLD.id::text);
  RETURN NULL;
END;
$$;

CREATE TRIGGER api_key_changed
  AFTER UPDATE OF revoked_at, expires_at, scopes, org_id, key_hash OR DELETE ON "api_key"
  FOR EACH ROW EXECUTE FUNCTION api_key_changed();
