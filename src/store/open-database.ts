// Opens Vigil's SQLite file. A file that is not a database, or is damaged, is reported
// with a clear error and left exactly as it was: nothing is written before the check.

import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { ErrorCodes, VigilError } from "../core/errors.ts";

export type Db = Database.Database;

export function openDatabase(path: string): Db {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const existed = path !== ":memory:" && existsSync(path);
  let db: Db;
  try {
    db = new Database(path);
  } catch (err) {
    throw new VigilError(
      ErrorCodes.STORE_CORRUPT,
      `cannot open the database ${path}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  if (existed) {
    try {
      // Reads the header and schema only; fails with SQLITE_NOTADB / SQLITE_CORRUPT on a bad file.
      db.pragma("schema_version");
      const check = db.pragma("quick_check", { simple: true });
      if (check !== "ok") throw new Error(String(check));
    } catch (err) {
      db.close();
      throw new VigilError(
        ErrorCodes.STORE_CORRUPT,
        `the database ${path} is damaged or is not a Vigil database (${(err as Error).message}). ` +
          "It was left untouched: restore it from a backup, or move it aside to start with an empty one.",
        { cause: err },
      );
    }
  }
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  return db;
}
