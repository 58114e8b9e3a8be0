-- Core tables: key/value metadata, sessions (a thread is a session), their messages,
-- inbound deliveries already handled, and button actions.

CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  platform TEXT NOT NULL,
  conversation TEXT NOT NULL,
  thread TEXT NOT NULL,
  operator TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (platform, conversation, thread)
);

CREATE TABLE session_messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id TEXT NOT NULL REFERENCES sessions(id),
  role TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'tool', 'system')),
  author TEXT,
  text TEXT NOT NULL,
  platform_message_id TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX session_messages_by_session ON session_messages (session_id, seq);

-- Every platform message id that belongs to a session, so a reply chain (Telegram)
-- or a reply to any bot message finds its thread again.
CREATE TABLE message_index (
  platform TEXT NOT NULL,
  conversation TEXT NOT NULL,
  message_id TEXT NOT NULL,
  session_id TEXT NOT NULL REFERENCES sessions(id),
  PRIMARY KEY (platform, conversation, message_id)
);

CREATE TABLE handled_events (
  platform TEXT NOT NULL,
  event_id TEXT NOT NULL,
  handled_at TEXT NOT NULL,
  PRIMARY KEY (platform, event_id)
);

CREATE TABLE actions (
  id TEXT PRIMARY KEY,
  handler TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT
);
