-- Where each approval card was posted (the thread, and the approvals channel), so every copy
-- can be edited after a decision or at expiry, also after a restart.
CREATE TABLE approval_cards (
  approval_id TEXT NOT NULL,
  platform TEXT NOT NULL,
  conversation TEXT NOT NULL,
  thread TEXT,
  message_id TEXT NOT NULL,
  PRIMARY KEY (approval_id, platform, conversation, message_id)
);
