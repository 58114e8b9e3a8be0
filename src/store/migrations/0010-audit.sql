-- The audit log: one row per tool call and decision, hash-chained (see src/audit/audit-log.ts)
-- and append-only. AUTOINCREMENT keeps the highest seq ever used in sqlite_sequence, so rows cut
-- from the end of the log still show as missing.

CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  time TEXT NOT NULL,
  actor TEXT NOT NULL,
  source TEXT NOT NULL,
  operator TEXT,
  tool TEXT,
  arguments TEXT,
  decision TEXT NOT NULL,
  reason TEXT,
  grant_id TEXT,
  result_summary TEXT,
  platform TEXT,
  conversation TEXT,
  thread TEXT,
  permission TEXT,
  resource TEXT,
  risk TEXT,
  args_hash TEXT,
  details TEXT,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);

-- No secondary indexes, on purpose: each one costs a page write per append and halves the append
-- rate. The admin page pages newest-first by seq (the rowid); time bounds become seq bounds by
-- binary search, because append keeps time non-decreasing along seq.

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit log is append-only');
END;
