-- JIT grants: signed, single-use permissions bound to one exact tool call.
CREATE TABLE policy_grants (
  id          TEXT PRIMARY KEY,          -- random, url-safe; also the single-use id
  key_id      TEXT NOT NULL,             -- HMAC key that signed it (keys rotate)
  signature   TEXT NOT NULL,
  operator    TEXT NOT NULL,
  tool        TEXT NOT NULL,
  args_hash   TEXT NOT NULL,
  resource    TEXT NOT NULL,
  permission  TEXT NOT NULL CHECK (permission IN ('read', 'write', 'exec', 'elevate')),
  issued_at   INTEGER NOT NULL,          -- ms since epoch
  expires_at  INTEGER NOT NULL,
  mode        TEXT NOT NULL CHECK (mode IN ('approved', 'lenient')),
  approval_id TEXT,
  requester   TEXT,                      -- Vigil user the grant was issued for
  approved_by TEXT NOT NULL DEFAULT '[]', -- JSON array of approver names
  consumed_at INTEGER,
  revoked_at  INTEGER,
  revoked_by  TEXT
);
CREATE INDEX policy_grants_open ON policy_grants (expires_at) WHERE consumed_at IS NULL AND revoked_at IS NULL;
