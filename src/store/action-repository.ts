// Button actions: the server-side half of a button. The button carries only the opaque
// id; the handler name and payload stay here, so they survive restarts and cannot be forged.

import { randomBytes } from "node:crypto";
import type { Db } from "./open-database.ts";

export interface StoredAction {
  readonly id: string;
  readonly handler: string;
  readonly payload: unknown;
  readonly expiresAt: string | null;
}

export class ActionRepository {
  readonly #insert;
  readonly #get;
  readonly #delete;
  constructor({ db }: { db: Db }) {
    this.#insert = db.prepare(
      "INSERT INTO actions (id, handler, payload, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
    );
    this.#get = db.prepare<
      [string],
      { id: string; handler: string; payload: string; expires_at: string | null }
    >("SELECT * FROM actions WHERE id = ?");
    this.#delete = db.prepare("DELETE FROM actions WHERE id = ?");
  }

  /** Stores an action and returns its opaque button id (`a:` + 16 random url-safe chars). */
  create(handler: string, payload: unknown, ttlMs?: number): string {
    const id = `a:${randomBytes(12).toString("base64url")}`;
    const now = Date.now();
    this.#insert.run(
      id,
      handler,
      JSON.stringify(payload ?? null),
      new Date(now).toISOString(),
      ttlMs ? new Date(now + ttlMs).toISOString() : null,
    );
    return id;
  }

  get(id: string): StoredAction | undefined {
    const row = this.#get.get(id);
    if (!row) return undefined;
    return { id: row.id, handler: row.handler, payload: JSON.parse(row.payload), expiresAt: row.expires_at };
  }

  delete(id: string): void {
    this.#delete.run(id);
  }
}
