// Turns one Telegram update into Vigil's normalized InboundEvent: forum topics become
// `topic:<id>` threads, replies elsewhere carry `replyTo`, `/vigil` is a command.

import type { Message, Update, User } from "grammy/types";
import type { ChatUser, InboundEvent, MessageRef } from "../../src/core/chat-adapter.ts";

/** The thread key prefix for a forum topic. */
export const TOPIC_PREFIX = "topic:";

/** The event id the core dedupes on: Telegram's update_id, stable across redeliveries and restarts. */
export function telegramEventId(update: Pick<Update, "update_id">): string {
  return `update:${update.update_id}`;
}

export interface NormalizeOptions {
  /** The bot's username, to tell `/vigil@us` from `/vigil@another_bot`. */
  botUsername?: string;
  /** The command that addresses Vigil (without the slash). */
  command?: string;
  now?: () => Date;
}

/** Normalizes `update`, or returns undefined for updates Vigil does not handle (bots, stickers, other bots' commands). */
export function normalizeTelegramUpdate(
  update: Update,
  opts: NormalizeOptions = {},
): InboundEvent | undefined {
  const receivedAt = opts.now?.() ?? new Date();
  const eventId = telegramEventId(update);
  const msg = update.message;
  if (msg) {
    if (!msg.from || msg.from.is_bot) return undefined;
    const raw = msg.text ?? msg.caption;
    if (raw === undefined) return undefined;
    const command = parseCommand(raw, opts.command ?? "vigil", opts.botUsername);
    if (command === "other-bot") return undefined;
    const thread = topicOf(msg);
    // The creation message of a topic is what a topic message "replies" to; that is not a reply.
    const replied = msg.reply_to_message;
    const replyTo =
      thread === undefined && replied && !replied.forum_topic_created
        ? String(replied.message_id)
        : undefined;
    return {
      kind: "message",
      platform: "telegram",
      conversation: String(msg.chat.id),
      thread,
      user: userOf(msg.from),
      eventId,
      receivedAt,
      messageId: String(msg.message_id),
      replyTo,
      text: command === undefined ? raw : command.text,
      command: command === undefined ? undefined : true,
    };
  }
  const query = update.callback_query;
  if (query?.data !== undefined && query.message && "chat" in query.message) {
    const carrier = query.message as Message;
    const ref: MessageRef = {
      platform: "telegram",
      conversation: String(carrier.chat.id),
      thread:
        topicOf(carrier) ??
        (carrier.reply_to_message ? String(carrier.reply_to_message.message_id) : undefined),
      messageId: String(carrier.message_id),
    };
    return {
      kind: "action",
      platform: "telegram",
      conversation: ref.conversation,
      thread: ref.thread,
      user: userOf(query.from),
      eventId,
      receivedAt,
      actionId: query.data,
      message: ref,
    };
  }
  return undefined;
}

/** A forum topic's thread key, only where the chat is a forum and the message sits in a topic. */
function topicOf(msg: Message): string | undefined {
  const forum = msg.chat.type === "supergroup" && msg.chat.is_forum === true;
  if (!forum || !msg.is_topic_message || msg.message_thread_id === undefined) return undefined;
  return `${TOPIC_PREFIX}${msg.message_thread_id}`;
}

function userOf(from: User): ChatUser {
  const full = [from.first_name, from.last_name].filter(Boolean).join(" ");
  return { id: String(from.id), name: from.username ?? (full || undefined) };
}

/** `/vigil text` and `/vigil@us text` → { text }; `/vigil@someone_else` → "other-bot"; anything else → undefined. */
function parseCommand(
  raw: string,
  command: string,
  botUsername?: string,
): { text: string } | "other-bot" | undefined {
  const m = /^\/([A-Za-z0-9_]+)(?:@([A-Za-z0-9_]+))?(?:\s+([\s\S]*))?$/.exec(raw.trim());
  if (!m || m[1].toLowerCase() !== command.toLowerCase()) return undefined;
  if (m[2] && botUsername && m[2].toLowerCase() !== botUsername.toLowerCase()) return "other-bot";
  return { text: (m[3] ?? "").trim() };
}
