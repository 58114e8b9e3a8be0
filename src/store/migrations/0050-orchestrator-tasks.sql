-- Orchestrator tasks: one row per request an operator handles (agent loop or direct tool run),
-- with its steps (model turns, tool calls with redacted outputs) and the tokens it used.

CREATE TABLE tasks (
  id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL,
  operator TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('agent', 'tool')),
  request TEXT NOT NULL,
  -- For 'tool' tasks: the tool and its raw arguments as JSON, so a re-run repeats the call.
  tool TEXT,
  args TEXT,
  requester TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'stopped', 'failed', 'interrupted')),
  steps TEXT NOT NULL DEFAULT '[]',
  tokens INTEGER NOT NULL DEFAULT 0,
  result TEXT,
  card_ref TEXT,
  created_at TEXT NOT NULL,
  finished_at TEXT
);
CREATE INDEX tasks_by_session ON tasks (session_id, created_at);
CREATE INDEX tasks_by_status ON tasks (status);
