-- Admin edits to operators (chat commands, JSON API), layered over config/operators/*.yaml.
-- `fields` is a JSON object of the changed fields; an operator made only here holds all of them.

CREATE TABLE operator_overrides (
  name TEXT PRIMARY KEY,
  fields TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
