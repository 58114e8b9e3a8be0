// The store: one SQLite file, migrated at open, with one repository per aggregate.

import { ActionRepository } from "./action-repository.ts";
import { HandledEvents } from "./handled-events.ts";
import { MetaRepository } from "./meta-repository.ts";
import { applyMigrations } from "./migrate.ts";
import { type Db, openDatabase } from "./open-database.ts";
import { SessionRepository } from "./session-repository.ts";

export interface Store {
  readonly db: Db;
  readonly path: string;
  readonly meta: MetaRepository;
  readonly sessions: SessionRepository;
  readonly handledEvents: HandledEvents;
  readonly actions: ActionRepository;
  /** Runs `fn` in one transaction (nested calls become savepoints). */
  transaction<T>(fn: () => T): T;
  close(): void;
}

export function openStore(path: string): Store {
  const db = openDatabase(path);
  try {
    applyMigrations(db);
  } catch (err) {
    db.close();
    throw err;
  }
  return {
    db,
    path,
    meta: new MetaRepository({ db }),
    sessions: new SessionRepository({ db }),
    handledEvents: new HandledEvents({ db }),
    actions: new ActionRepository({ db }),
    transaction: (fn) => db.transaction(fn)(),
    close: () => db.close(),
  };
}

export { loadMigrations } from "./migrate.ts";
export type { SessionMessage, SessionRecord } from "./session-repository.ts";
export type { Db };
export { ActionRepository, applyMigrations, HandledEvents, MetaRepository, openDatabase, SessionRepository };
