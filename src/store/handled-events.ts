// Remembers which platform deliveries were handled, so retries and redeliveries (Slack
// event_id, Telegram update_id, Discord interaction ids) run once, also across restarts.

import type { Db } from "./open-database.ts";

const KEEP_DAYS = 7;

export class HandledEvents {
  readonly #claim;
  readonly #prune;
  constructor({ db }: { db: Db }) {
    this.#claim = db.prepare(
      "INSERT OR IGNORE INTO handled_events (platform, event_id, handled_at) VALUES (?, ?, ?)",
    );
    this.#prune = db.prepare("DELETE FROM handled_events WHERE handled_at < ?");
  }

  /** True the first time a delivery is seen; false for every repeat. */
  claim(platform: string, eventId: string): boolean {
    return this.#claim.run(platform, eventId, new Date().toISOString()).changes === 1;
  }

  prune(now = Date.now()): number {
    return this.#prune.run(new Date(now - KEEP_DAYS * 86_400_000).toISOString()).changes;
  }
}
