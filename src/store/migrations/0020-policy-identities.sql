-- Identities and roles set by admin chat commands, layered over vigil.yaml's `users:`.

-- A role granted to or revoked from a Vigil user; overrides the config for that (user, role).
CREATE TABLE policy_role_overrides (
  user_name  TEXT NOT NULL,
  role       TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'approver', 'admin')),
  state      TEXT NOT NULL CHECK (state IN ('granted', 'revoked')),
  changed_by TEXT NOT NULL,
  changed_at INTEGER NOT NULL,
  PRIMARY KEY (user_name, role)
);

-- A platform account linked to a Vigil user; overrides any config link of the same account.
CREATE TABLE policy_identity_links (
  platform         TEXT NOT NULL,
  platform_user_id TEXT NOT NULL,
  user_name        TEXT,          -- NULL: unlinked by an admin (hides a config link)
  changed_by       TEXT NOT NULL,
  changed_at       INTEGER NOT NULL,
  PRIMARY KEY (platform, platform_user_id)
);

-- Which operators a conversation may use; overrides config bindings for that conversation.
CREATE TABLE policy_channel_bindings (
  platform     TEXT NOT NULL,
  conversation TEXT NOT NULL,
  operators    TEXT NOT NULL,     -- JSON array of operator names; "*" allows any. Unbinding deletes the row.
  changed_by   TEXT NOT NULL,
  changed_at   INTEGER NOT NULL,
  PRIMARY KEY (platform, conversation)
);
