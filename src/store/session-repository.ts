// Sessions: one per thread, found again by thread key or by any message id in it, with
// their message history, so a thread keeps its session across restarts.

import { randomUUID } from "node:crypto";
import type { Db } from "./open-database.ts";

export interface SessionRecord {
  readonly id: string;
  readonly platform: string;
  readonly conversation: string;
  readonly thread: string;
  readonly operator: string | null;
  readonly createdAt: string;
}

export type SessionRole = "user" | "assistant" | "tool" | "system";

export interface SessionMessage {
  readonly seq: number;
  readonly role: SessionRole;
  readonly author: string | null;
  readonly text: string;
  readonly platformMessageId: string | null;
  readonly createdAt: string;
}

interface SessionRow {
  id: string;
  platform: string;
  conversation: string;
  thread: string;
  operator: string | null;
  created_at: string;
}

const toSession = (r: SessionRow): SessionRecord => ({
  id: r.id,
  platform: r.platform,
  conversation: r.conversation,
  thread: r.thread,
  operator: r.operator,
  createdAt: r.created_at,
});

export class SessionRepository {
  readonly #db: Db;
  readonly #byThread;
  readonly #byMessage;
  readonly #byId;
  readonly #insert;
  readonly #touch;
  readonly #setOperator;
  readonly #addMessage;
  readonly #indexMessage;
  readonly #history;

  constructor({ db }: { db: Db }) {
    this.#db = db;
    this.#byThread = db.prepare<[string, string, string], SessionRow>(
      "SELECT * FROM sessions WHERE platform = ? AND conversation = ? AND thread = ?",
    );
    this.#byMessage = db.prepare<[string, string, string], SessionRow>(
      `SELECT s.* FROM message_index m JOIN sessions s ON s.id = m.session_id
       WHERE m.platform = ? AND m.conversation = ? AND m.message_id = ?`,
    );
    this.#byId = db.prepare<[string], SessionRow>("SELECT * FROM sessions WHERE id = ?");
    this.#insert = db.prepare(
      "INSERT INTO sessions (id, platform, conversation, thread, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
    );
    this.#touch = db.prepare("UPDATE sessions SET updated_at = ? WHERE id = ?");
    this.#setOperator = db.prepare("UPDATE sessions SET operator = ?, updated_at = ? WHERE id = ?");
    this.#addMessage = db.prepare(
      "INSERT INTO session_messages (session_id, role, author, text, platform_message_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
    );
    this.#indexMessage = db.prepare(
      "INSERT OR IGNORE INTO message_index (platform, conversation, message_id, session_id) VALUES (?, ?, ?, ?)",
    );
    this.#history = db.prepare<
      [string, number],
      {
        seq: number;
        role: SessionRole;
        author: string | null;
        text: string;
        platform_message_id: string | null;
        created_at: string;
      }
    >(
      "SELECT * FROM (SELECT * FROM session_messages WHERE session_id = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq",
    );
  }

  findByThread(platform: string, conversation: string, thread: string): SessionRecord | undefined {
    const row = this.#byThread.get(platform, conversation, thread);
    return row && toSession(row);
  }

  findByMessage(platform: string, conversation: string, messageId: string): SessionRecord | undefined {
    const row = this.#byMessage.get(platform, conversation, messageId);
    return row && toSession(row);
  }

  get(id: string): SessionRecord | undefined {
    const row = this.#byId.get(id);
    return row && toSession(row);
  }

  /** Finds the thread's session or opens one; atomic, so two deliveries cannot open two sessions. */
  openThread(platform: string, conversation: string, thread: string): SessionRecord {
    return this.#db
      .transaction(() => {
        const found = this.findByThread(platform, conversation, thread);
        if (found) return found;
        const now = new Date().toISOString();
        const id = randomUUID();
        this.#insert.run(id, platform, conversation, thread, now, now);
        this.#indexMessage.run(platform, conversation, thread, id);
        return toSession({ id, platform, conversation, thread, operator: null, created_at: now });
      })
      .immediate();
  }

  setOperator(sessionId: string, operator: string | null): void {
    this.#setOperator.run(operator, new Date().toISOString(), sessionId);
  }

  /** Appends to the history and indexes the platform message id, so replies to it find this session. */
  addMessage(
    session: Pick<SessionRecord, "id" | "platform" | "conversation">,
    msg: { role: SessionRole; author?: string; text: string; platformMessageId?: string },
  ): void {
    const now = new Date().toISOString();
    this.#db.transaction(() => {
      this.#addMessage.run(
        session.id,
        msg.role,
        msg.author ?? null,
        msg.text,
        msg.platformMessageId ?? null,
        now,
      );
      if (msg.platformMessageId) {
        this.#indexMessage.run(session.platform, session.conversation, msg.platformMessageId, session.id);
      }
      this.#touch.run(now, session.id);
    })();
  }

  history(sessionId: string, limit = 50): SessionMessage[] {
    return this.#history.all(sessionId, limit).map((r) => ({
      seq: r.seq,
      role: r.role,
      author: r.author,
      text: r.text,
      platformMessageId: r.platform_message_id,
      createdAt: r.created_at,
    }));
  }

  count(): number {
    return (this.#db.prepare("SELECT count(*) AS n FROM sessions").get() as { n: number }).n;
  }
}
