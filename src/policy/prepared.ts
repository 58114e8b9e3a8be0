// Prepares each SQL text once per connection and keeps the statement for the connection's life,
// so hot paths (the gate, grant consumption) never re-parse SQL.

import type Database from "better-sqlite3";
import type { Db } from "../store/open-database.ts";

export type Prepare = (sql: string) => Database.Statement;

export function cachedPrepare(db: Db): Prepare {
  const cache = new Map<string, Database.Statement>();
  return (sql) => {
    let stmt = cache.get(sql);
    if (!stmt) {
      stmt = db.prepare(sql);
      cache.set(sql, stmt);
    }
    return stmt;
  };
}
