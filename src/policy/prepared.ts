// Prepares each SQL text once per connection and keeps the statement for the connection's life.
// Besides saving work, this keeps statements from becoming garbage: better-sqlite3 12 on Node 24
// can abort the process when a collected Statement is finalised at an unlucky moment.

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
