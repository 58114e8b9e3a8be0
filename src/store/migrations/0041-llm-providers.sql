-- Providers added by admin command. The API key is sealed (SecretBox, key from VIGIL_SECRET)
-- with the provider name as associated data, so a sealed key cannot be moved to another row.
CREATE TABLE llm_providers (
  name           TEXT PRIMARY KEY,
  config_json    TEXT NOT NULL,
  api_key_sealed TEXT,
  updated_at     TEXT NOT NULL
);
