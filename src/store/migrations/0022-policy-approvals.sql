-- Pending and decided approval requests. Rows, not memory: a pending approval survives a restart.
CREATE TABLE policy_approvals (
  id                 TEXT PRIMARY KEY,   -- short random id; the only thing a button carries
  operator           TEXT NOT NULL,
  tool               TEXT NOT NULL,
  args_json          TEXT NOT NULL,      -- the exact parsed arguments (redacted only when shown)
  args_hash          TEXT NOT NULL,
  resource           TEXT NOT NULL,
  permission         TEXT NOT NULL CHECK (permission IN ('read', 'write', 'exec', 'elevate')),
  risk               TEXT NOT NULL CHECK (risk IN ('low', 'medium', 'high', 'critical')),
  trust              TEXT NOT NULL CHECK (trust IN ('strict', 'lenient')),
  required_approvals INTEGER NOT NULL CHECK (required_approvals >= 1),
  requester_id       TEXT,
  requester_name     TEXT,
  reason             TEXT,
  context            TEXT,               -- caller's JSON, e.g. where the card was posted
  created_at         INTEGER NOT NULL,   -- ms since epoch
  expires_at         INTEGER NOT NULL,
  status             TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'denied', 'expired')),
  decided_by         TEXT,
  decided_at         INTEGER,
  grant_id           TEXT
);
CREATE INDEX policy_approvals_pending ON policy_approvals (expires_at) WHERE status = 'pending';

-- One row per distinct approver, so N-of-M counts people, not clicks.
CREATE TABLE policy_approval_votes (
  approval_id TEXT NOT NULL REFERENCES policy_approvals (id),
  approver    TEXT NOT NULL,
  voted_at    INTEGER NOT NULL,
  PRIMARY KEY (approval_id, approver)
);
