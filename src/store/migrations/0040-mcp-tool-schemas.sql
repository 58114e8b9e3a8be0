-- Pinned MCP tool schemas: the hash an admin approved (first sight pins it) and the hash
-- last seen. A tool whose seen hash differs from the approved one needs approval again.
CREATE TABLE mcp_tool_schemas (
  server        TEXT NOT NULL,
  tool          TEXT NOT NULL,
  approved_hash TEXT NOT NULL,
  approved_at   TEXT NOT NULL,
  approved_by   TEXT,
  seen_hash     TEXT NOT NULL,
  seen_at       TEXT NOT NULL,
  PRIMARY KEY (server, tool)
);
