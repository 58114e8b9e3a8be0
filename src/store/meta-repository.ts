// Small key/value facts about this installation (secret check, admin token hash).

import type { Db } from "./open-database.ts";

export class MetaRepository {
  readonly #get;
  readonly #set;
  constructor({ db }: { db: Db }) {
    this.#get = db.prepare<[string], { value: string }>("SELECT value FROM meta WHERE key = ?");
    this.#set = db.prepare(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    );
  }

  get(key: string): string | undefined {
    return this.#get.get(key)?.value;
  }

  set(key: string, value: string): void {
    this.#set.run(key, value);
  }
}
