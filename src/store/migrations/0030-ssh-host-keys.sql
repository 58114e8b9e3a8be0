-- SSH host keys pinned on first use (invariant 8): one key per host and port. A server that
-- later offers another key is refused until an admin forgets the pin.
CREATE TABLE ssh_host_keys (
  host        TEXT NOT NULL,
  port        INTEGER NOT NULL,
  key_type    TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  public_key  TEXT NOT NULL,
  first_seen  TEXT NOT NULL,
  PRIMARY KEY (host, port)
);
