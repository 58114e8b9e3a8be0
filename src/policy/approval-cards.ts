// Where approval cards were posted, so every copy of a card is edited when it settles.

import type { MessageRef, Platform } from "../core/chat-adapter.ts";
import type { Db } from "../store/open-database.ts";

export class ApprovalCardRepository {
  readonly #insert;
  readonly #list;
  constructor({ db }: { db: Db }) {
    this.#insert = db.prepare(
      "INSERT OR IGNORE INTO approval_cards (approval_id, platform, conversation, thread, message_id) VALUES (?, ?, ?, ?, ?)",
    );
    this.#list = db.prepare<
      [string],
      { platform: Platform; conversation: string; thread: string | null; message_id: string }
    >("SELECT platform, conversation, thread, message_id FROM approval_cards WHERE approval_id = ?");
  }

  add(approvalId: string, ref: MessageRef): void {
    this.#insert.run(approvalId, ref.platform, ref.conversation, ref.thread ?? null, ref.messageId);
  }

  list(approvalId: string): MessageRef[] {
    return this.#list.all(approvalId).map((r) => ({
      platform: r.platform,
      conversation: r.conversation,
      thread: r.thread ?? undefined,
      messageId: r.message_id,
    }));
  }
}
