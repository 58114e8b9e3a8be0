// Applies the SQL migrations in src/store/migrations/ in file-name order, each exactly once,
// each in its own transaction. A database migrated by a newer Vigil is refused, not damaged.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ErrorCodes, VigilError } from "../core/errors.ts";
import type { Db } from "./open-database.ts";

const MIGRATIONS_DIR = join(import.meta.dirname, "migrations");

export interface Migration {
  readonly name: string;
  readonly sql: string;
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .map((name) => ({ name, sql: readFileSync(join(dir, name), "utf8") }));
}

/** Applies pending migrations; returns the names applied now. */
export function applyMigrations(db: Db, migrations: readonly Migration[] = loadMigrations()): string[] {
  db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)");
  const done = new Set(
    (db.prepare("SELECT name FROM schema_migrations").all() as { name: string }[]).map((r) => r.name),
  );
  const known = new Set(migrations.map((m) => m.name));
  const unknown = [...done].filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new VigilError(
      ErrorCodes.STORE_TOO_NEW,
      `the database was migrated by a newer Vigil (unknown migrations: ${unknown.join(", ")}); upgrade Vigil or restore an older backup`,
    );
  }
  const applied: string[] = [];
  const record = db.prepare("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)");
  for (const m of migrations) {
    if (done.has(m.name)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.name, new Date().toISOString());
    })();
    applied.push(m.name);
  }
  return applied;
}
