-- MCP servers added by admin command (`mcp add`), so they survive a restart. Servers in
-- vigil.yaml are not stored here; the file stays their source of truth.
CREATE TABLE mcp_servers (
  name        TEXT PRIMARY KEY,
  config_json TEXT NOT NULL,
  added_by    TEXT NOT NULL,
  added_at    TEXT NOT NULL
);
