// The Telegram PlatformDriver for the adapter contract suite: a fake Bot API plus a real
// TelegramAdapter (grammY) against it; acts as users and reads what the bot posted.

import type { BotMessage, PlatformDriver, UserMessageOptions } from "../../src/testing/platform-driver.ts";
import { type FakeBotMessage, type FakeChat, FakeTelegram, type FakeUser } from "./fake-telegram.ts";
import { TOPIC_PREFIX } from "./normalize-telegram-update.ts";
import { TELEGRAM_MAX_MESSAGE_LENGTH } from "./render-telegram.ts";
import { TelegramAdapter, type TelegramAdapterOptions } from "./telegram-adapter.ts";

export interface TelegramDriverOptions {
  /** The chat is a forum supergroup: each top-level user message opens a topic, and topics are threads. */
  forum?: boolean;
  /** Adapter overrides (rate limits, mode …); token and apiRoot point at the fake. */
  adapter?: Partial<TelegramAdapterOptions>;
}

/** The driver, with the fake exposed for Telegram-specific tests. */
export interface TelegramDriver extends PlatformDriver {
  readonly adapter: TelegramAdapter;
  readonly fake: FakeTelegram;
  readonly chat: FakeChat;
}

/** Starts a fake Bot API and a TelegramAdapter (long polling) against it. The adapter is not started. */
export async function createTelegramDriver(opts: TelegramDriverOptions = {}): Promise<TelegramDriver> {
  const fake = await FakeTelegram.start();
  const chat = fake.addChat(
    opts.forum
      ? { id: -1001000000001, type: "supergroup", title: "Vigil forum", is_forum: true }
      : { id: -1001000000002, type: "supergroup", title: "Vigil ops" },
  );
  const adapter = new TelegramAdapter({
    token: fake.token,
    apiRoot: fake.apiRoot,
    pollingTimeoutSeconds: 10,
    reconnect: { initialMs: 100, maxMs: 1000 },
    // Tests send bursts; the real per-chat pace would only make them slow.
    rate: { globalPerSecond: 1000, globalBurst: 1000, perChatPerSecond: 1000, perChatBurst: 1000 },
    delivery: { backoffMs: 20 },
    ...opts.adapter,
  });
  const conversation = String(chat.id);
  const toUser = (u: { id: string; name: string }): FakeUser => ({
    id: Number(u.id) || hashId(u.id),
    is_bot: false,
    first_name: u.name,
    username: /^[A-Za-z0-9_]{5,32}$/.test(u.name) ? u.name : undefined,
  });
  const threadOf = (m: FakeBotMessage): string | undefined =>
    m.threadId !== undefined
      ? `${TOPIC_PREFIX}${m.threadId}`
      : m.replyTo !== undefined
        ? String(m.replyTo)
        : undefined;

  return {
    adapter,
    fake,
    chat,
    conversation,
    maxMessageLength: TELEGRAM_MAX_MESSAGE_LENGTH,
    renderedBold: "<b>bold</b>",
    async userMessage(o: UserMessageOptions) {
      const chatId = Number(o.conversation);
      const from = toUser(o.user);
      let threadId: number | undefined;
      let replyTo: number | undefined;
      if (o.thread?.startsWith(TOPIC_PREFIX)) threadId = Number(o.thread.slice(TOPIC_PREFIX.length));
      else if (o.thread !== undefined) {
        // A reply chain: answer the bot's latest message in it, as a person would.
        const latest = fake
          .botMessages(chatId)
          .filter((m) => threadOf(m) === o.thread || String(m.messageId) === o.thread)
          .at(-1);
        replyTo = latest?.messageId ?? Number(o.thread);
      } else if (chat.is_forum && chatId === chat.id) {
        threadId = fake.createTopic(chatId, o.text.slice(0, 64) || "topic", from);
      }
      const update = fake.userMessage({
        chatId,
        from,
        text: o.text,
        threadId,
        replyTo,
        times: o.duplicate ? 2 : 1,
      });
      await fake.waitConfirmed(update);
    },
    async click(message: BotMessage, buttonId: string, user: { id: string; name: string }) {
      const update = fake.click({
        chatId: Number(message.conversation),
        messageId: Number(message.messageId),
        data: buttonId,
        from: toUser(user),
      });
      await fake.waitConfirmed(update);
    },
    botMessages(): readonly BotMessage[] {
      return fake.botMessages().map((m) => ({
        conversation: String(m.chatId),
        thread: threadOf(m),
        messageId: String(m.messageId),
        text: m.html,
        buttons: m.buttons.map((b) => ({ id: b.callback_data, label: b.text })),
      }));
    },
    async close() {
      await adapter.stop();
      await fake.close();
    },
  };
}

/** A stable numeric Telegram user id for a non-numeric test user id. */
function hashId(s: string): number {
  let h = 7;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) % 2_000_000_000;
  return h + 1000;
}
