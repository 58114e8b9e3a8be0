import assert from "node:assert/strict";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ErrorCodes } from "../core/errors.ts";
import { tempDir } from "../testing/temp-dir.ts";
import { applyMigrations, loadMigrations, openDatabase, openStore } from "./index.ts";

describe("migrations", () => {
  it("builds every table on an empty database and records each migration once", () => {
    using dir = tempDir();
    const db = openDatabase(join(dir.path, "v.db"));
    const applied = applyMigrations(db);
    assert.deepEqual(
      applied,
      loadMigrations().map((m) => m.name),
    );
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
    ).map((r) => r.name);
    for (const t of ["meta", "sessions", "session_messages", "message_index", "handled_events", "actions"])
      assert.ok(tables.includes(t), t);
    assert.deepEqual(applyMigrations(db), [], "a second run applies nothing");
    db.close();
  });

  it("applies only the new migrations to an existing database and keeps its data", () => {
    using dir = tempDir();
    const path = join(dir.path, "v.db");
    const all = loadMigrations();
    const db = openDatabase(path);
    applyMigrations(db, all.slice(0, 1));
    db.prepare("INSERT INTO meta (key, value) VALUES ('kept', 'yes')").run();
    db.close();
    const again = openDatabase(path);
    const extra = { name: "9999-test.sql", sql: "CREATE TABLE later_feature (id INTEGER PRIMARY KEY);" };
    assert.deepEqual(applyMigrations(again, [...all, extra]), [
      ...all.slice(1).map((m) => m.name),
      extra.name,
    ]);
    assert.equal(
      (again.prepare("SELECT value FROM meta WHERE key = 'kept'").get() as { value: string }).value,
      "yes",
    );
    again.close();
  });

  it("rolls back a failing migration entirely", () => {
    using dir = tempDir();
    const db = openDatabase(join(dir.path, "v.db"));
    const bad = {
      name: "0002-bad.sql",
      sql: "CREATE TABLE half (id INTEGER); INSERT INTO nowhere VALUES (1);",
    };
    assert.throws(
      () => applyMigrations(db, [...loadMigrations().slice(0, 1), bad]),
      /no such table: nowhere/,
    );
    assert.equal(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get(), undefined);
    assert.equal(db.prepare("SELECT name FROM schema_migrations WHERE name = ?").get(bad.name), undefined);
    db.close();
  });

  it("refuses a database migrated by a newer Vigil", () => {
    using dir = tempDir();
    const db = openDatabase(join(dir.path, "v.db"));
    applyMigrations(db, [...loadMigrations(), { name: "9999-future.sql", sql: "SELECT 1;" }]);
    assert.throws(
      () => applyMigrations(db),
      (err: { code?: string; message: string }) => {
        assert.equal(err.code, ErrorCodes.STORE_TOO_NEW);
        assert.match(err.message, /9999-future\.sql/);
        return true;
      },
    );
    db.close();
  });

  it("reports a corrupt database file clearly and leaves it untouched", () => {
    using dir = tempDir();
    const path = join(dir.path, "vigil.db");
    const junk = Buffer.from("this is not a database, it is a shopping list\n".repeat(200));
    writeFileSync(path, junk);
    const before = statSync(path).mtimeMs;
    assert.throws(
      () => openStore(path),
      (err: { code?: string; message: string }) => {
        assert.equal(err.code, ErrorCodes.STORE_CORRUPT);
        assert.match(err.message, /damaged or is not a Vigil database.*left untouched/s);
        return true;
      },
    );
    assert.deepEqual(readFileSync(path), junk);
    assert.equal(statSync(path).mtimeMs, before);
  });
});
