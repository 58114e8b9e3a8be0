// A wire-level fake of the Telegram Bot API on 127.0.0.1 for tests: `/bot<token>/<method>`
// with JSON, form or multipart bodies, long polling with offsets and 409 conflicts, HTML
// validation, forum topics, inline keyboards, webhooks, 429s and outages on demand.

import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { parseTelegramHtml, type TelegramEntity, TelegramHtmlError } from "./parse-telegram-html.ts";

export interface FakeUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
}

export interface FakeChat {
  id: number;
  type: "private" | "group" | "supergroup";
  title?: string;
  is_forum?: boolean;
}

/** A message as the fake stores it and as it appears in updates. */
export interface FakeMessage {
  message_id: number;
  from: FakeUser;
  chat: FakeChat;
  date: number;
  text: string;
  entities?: TelegramEntity[];
  message_thread_id?: number;
  is_topic_message?: boolean;
  reply_to_message?: FakeMessage;
  reply_markup?: { inline_keyboard: { text: string; callback_data?: string; url?: string }[][] };
  forum_topic_created?: { name: string; icon_color: number };
}

/** A message the bot sent, with the HTML it sent, after edits. */
export interface FakeBotMessage {
  chatId: number;
  messageId: number;
  /** The topic, when sent into a forum topic. */
  threadId?: number;
  /** The message the bot replied to (reply_parameters / reply_to_message_id). */
  replyTo?: number;
  /** The HTML (or plain text) as sent, latest edit applied. */
  html: string;
  /** The visible text after Telegram's entity parsing. */
  text: string;
  buttons: { text: string; callback_data: string }[];
  edits: number;
  sentAt: number;
}

export interface FakeCall {
  method: string;
  params: Record<string, unknown>;
  status: number;
  at: number;
}

export interface FakeTelegramOptions {
  token?: string;
  bot?: Partial<FakeUser>;
  /** Port to listen on; 0 picks a free one. */
  port?: number;
}

type Update = { update_id: number; message?: FakeMessage; callback_query?: Record<string, unknown> };

interface HeldPoll {
  res: ServerResponse;
  offset: number;
  limit: number;
  timer: NodeJS.Timeout;
}

class ApiError extends Error {
  readonly code: number;
  readonly parameters?: Record<string, unknown>;
  constructor(code: number, description: string, parameters?: Record<string, unknown>) {
    super(description);
    this.code = code;
    this.parameters = parameters;
  }
}

const DEFAULT_TOKEN = "123456:TEST-fake-token";

/** The fake Bot API server. Create with `FakeTelegram.start()`. */
export class FakeTelegram {
  readonly token: string;
  readonly bot: FakeUser;
  readonly calls: FakeCall[] = [];
  /** Callback query ids the bot answered, in order. */
  readonly answeredCallbackQueries: { id: string; text?: string; at: number }[] = [];
  #server: Server;
  #port = 0;
  readonly #sockets = new Set<Socket>();
  readonly #chats = new Map<number, FakeChat>();
  readonly #messages = new Map<string, FakeMessage>();
  readonly #botMessages: FakeBotMessage[] = [];
  readonly #nextMessageId = new Map<number, number>();
  #pending: Update[] = [];
  #nextUpdateId = 100_000;
  #confirmedBelow = 0;
  #held: HeldPoll | undefined;
  readonly #openQueries = new Map<string, { answered: boolean }>();
  #nextQueryId = 1;
  #faults: {
    remaining: number;
    code: number;
    description: string;
    retryAfter?: number;
    methods?: string[];
  }[] = [];
  #webhook: { url: string; secret?: string } | undefined;
  #pushing = false;
  readonly #waiters = new Set<() => void>();

  private constructor(opts: FakeTelegramOptions) {
    this.token = opts.token ?? DEFAULT_TOKEN;
    this.bot = {
      id: Number(this.token.split(":")[0]) || 123456,
      is_bot: true,
      first_name: "Vigil",
      username: "vigil_test_bot",
      ...opts.bot,
    };
    this.#server = this.#createServer();
  }

  /** Starts a fake on 127.0.0.1. */
  static async start(opts: FakeTelegramOptions = {}): Promise<FakeTelegram> {
    const fake = new FakeTelegram(opts);
    await fake.#listen(opts.port ?? 0);
    return fake;
  }

  /** Base URL for grammY's `client.apiRoot` (no trailing slash). */
  get apiRoot(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** The bot as getMe answers, in the shape grammY's `botInfo` wants. */
  get botInfo() {
    return {
      ...this.bot,
      username: this.bot.username ?? "vigil_test_bot",
      can_join_groups: true,
      can_read_all_group_messages: true,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
      has_topics_enabled: false,
      allows_users_to_create_topics: false,
    };
  }

  // ---- chats and users acting ------------------------------------------------------------

  /** Registers a chat the bot is a member of. */
  addChat(chat: FakeChat): FakeChat {
    this.#chats.set(chat.id, chat);
    return chat;
  }

  /** Opens a forum topic as `from` would; returns its message_thread_id. */
  createTopic(chatId: number, name: string, from: FakeUser): number {
    const chat = this.#chat(chatId);
    if (!chat.is_forum) throw new Error(`chat ${chatId} is not a forum`);
    const id = this.#allocMessageId(chatId);
    const msg: FakeMessage = {
      message_id: id,
      from,
      chat,
      date: now(),
      text: "",
      message_thread_id: id,
      is_topic_message: true,
      forum_topic_created: { name, icon_color: 7322096 },
    };
    this.#messages.set(key(chatId, id), msg);
    return id;
  }

  /** A user sends a message; queued as an update (or pushed to the webhook). Returns the update. */
  userMessage(opts: {
    chatId: number;
    from: FakeUser;
    text: string;
    threadId?: number;
    replyTo?: number;
    /** Queue the same update this many times, as a redelivery would. */
    times?: number;
  }): Update {
    const chat = this.#chat(opts.chatId);
    const id = this.#allocMessageId(chat.id);
    const msg: FakeMessage = { message_id: id, from: opts.from, chat, date: now(), text: opts.text };
    const command = /^\/[a-zA-Z0-9_]+(@[a-zA-Z0-9_]+)?/.exec(opts.text);
    if (command) msg.entities = [{ type: "bot_command", offset: 0, length: command[0].length }];
    const replied = opts.replyTo === undefined ? undefined : this.#messages.get(key(chat.id, opts.replyTo));
    if (opts.replyTo !== undefined && !replied)
      throw new Error(`no message ${opts.replyTo} in chat ${chat.id}`);
    let thread = opts.threadId;
    if (chat.is_forum && thread === undefined && replied?.is_topic_message)
      thread = replied.message_thread_id;
    if (thread !== undefined) {
      msg.message_thread_id = thread;
      if (chat.is_forum) msg.is_topic_message = true;
    }
    if (replied) msg.reply_to_message = shallow(replied);
    else if (chat.is_forum && thread !== undefined) {
      // In a topic, a message that replies to nothing carries the topic's creation message.
      const root = this.#messages.get(key(chat.id, thread));
      if (root) msg.reply_to_message = shallow(root);
    }
    this.#messages.set(key(chat.id, id), msg);
    return this.injectUpdate({ message: msg }, opts.times);
  }

  /** A user clicks an inline button on a bot message; returns the update (its callback_query.id is recorded). */
  click(opts: { chatId: number; messageId: number; data: string; from: FakeUser }): Update {
    const msg = this.#messages.get(key(opts.chatId, opts.messageId));
    if (!msg) throw new Error(`no message ${opts.messageId} in chat ${opts.chatId}`);
    const has = msg.reply_markup?.inline_keyboard.some((row) =>
      row.some((b) => b.callback_data === opts.data),
    );
    if (!has) throw new Error(`message ${opts.messageId} has no button with callback_data ${opts.data}`);
    const id = String(9_000_000 + this.#nextQueryId++);
    this.#openQueries.set(id, { answered: false });
    return this.injectUpdate({
      callback_query: {
        id,
        from: opts.from,
        message: shallow(msg),
        chat_instance: String(-opts.chatId),
        data: opts.data,
      },
    });
  }

  /** Queues a raw update (an `update_id` is assigned). */
  injectUpdate(body: Omit<Update, "update_id">, times = 1): Update {
    const update = { update_id: this.#nextUpdateId++, ...body } as Update;
    for (let i = 0; i < times; i++) this.#pending.push(update);
    // Answer a held poll after the caller has queued everything it means to queue in this turn.
    queueMicrotask(() => this.#flush());
    return update;
  }

  /** Resolves once the bot has confirmed `update` (a later getUpdates offset passed it, or the webhook took it). */
  async waitConfirmed(update: { update_id: number }, timeoutMs = 5000): Promise<void> {
    await this.#waitUntil(
      () => this.#confirmedBelow > update.update_id,
      timeoutMs,
      `update ${update.update_id}`,
    );
  }

  /** POSTs an update to a webhook URL as Telegram would, with the secret header when given. */
  async postWebhook(url: string, update: Update, secret?: string): Promise<{ status: number; body: string }> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (secret !== undefined) headers["x-telegram-bot-api-secret-token"] = secret;
    const res = await fetch(url, { method: "POST", headers, body: JSON.stringify(update) });
    return { status: res.status, body: await res.text() };
  }

  // ---- what the bot did ------------------------------------------------------------------

  /** Messages the bot sent, oldest first, with edits applied. */
  botMessages(chatId?: number): readonly FakeBotMessage[] {
    return this.#botMessages.filter((m) => chatId === undefined || m.chatId === chatId);
  }

  /** Whether the bot answered a callback query. */
  isAnswered(callbackQueryId: string): boolean {
    return this.#openQueries.get(callbackQueryId)?.answered ?? false;
  }

  /** The webhook the bot set, if any. */
  get webhook(): { url: string; secret?: string } | undefined {
    return this.#webhook;
  }

  /** Injects a user message and measures the time until the bot's next message in that chat. */
  async roundTrip(opts: {
    chatId: number;
    from: FakeUser;
    text: string;
    timeoutMs?: number;
  }): Promise<number> {
    const before = this.#botMessages.length;
    const t0 = performance.now();
    this.userMessage(opts);
    await this.#waitUntil(
      () => this.#botMessages.slice(before).some((m) => m.chatId === opts.chatId),
      opts.timeoutMs ?? 5000,
      "a bot reply",
    );
    return performance.now() - t0;
  }

  // ---- faults ---------------------------------------------------------------------------

  /** The next `n` calls (of `methods`, or any but getUpdates) answer 429 with `retry_after` seconds. */
  rateLimitNext(
    n: number,
    retryAfterSeconds: number,
    methods: string[] = ["sendMessage", "editMessageText"],
  ): void {
    this.#faults.push({
      remaining: n,
      code: 429,
      description: `Too Many Requests: retry after ${retryAfterSeconds}`,
      retryAfter: retryAfterSeconds,
      methods,
    });
  }

  /** The next `n` calls of `methods` answer with `code` and `description`. */
  failNext(n: number, code: number, description: string, methods?: string[]): void {
    this.#faults.push({ remaining: n, code, description, methods });
  }

  /** Goes away: closes every connection and refuses new ones until `comeBack()`. */
  async goAway(): Promise<void> {
    this.#releaseHeld();
    const closed = once(this.#server, "close");
    this.#server.close();
    for (const s of this.#sockets) s.destroy();
    await closed;
  }

  /** Listens again on the same port. */
  async comeBack(): Promise<void> {
    this.#server = this.#createServer();
    await this.#listen(this.#port);
  }

  async close(): Promise<void> {
    if (this.#server.listening) await this.goAway();
  }

  // ---- server ---------------------------------------------------------------------------

  #createServer(): Server {
    const server = createServer((req, res) => {
      void this.#handle(req, res);
    });
    server.on("connection", (s) => {
      this.#sockets.add(s);
      s.on("close", () => this.#sockets.delete(s));
    });
    return server;
  }

  async #listen(port: number): Promise<void> {
    this.#server.listen(port, "127.0.0.1");
    await once(this.#server, "listening");
    this.#port = (this.#server.address() as AddressInfo).port;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    let method = "";
    let params: Record<string, unknown> = {};
    try {
      if (!m) throw new ApiError(404, "Not Found");
      method = m[2];
      params = { ...Object.fromEntries(url.searchParams), ...(await readParams(req)) };
      if (m[1] !== this.token) throw new ApiError(401, "Unauthorized");
      this.#applyFault(method);
      if (method === "getUpdates") {
        this.#getUpdates(params, res);
        return;
      }
      this.#reply(res, method, params, 200, { ok: true, result: this.#call(method, params) });
    } catch (err) {
      if (err instanceof ApiError) {
        const body: Record<string, unknown> = { ok: false, error_code: err.code, description: err.message };
        if (err.parameters) body.parameters = err.parameters;
        this.#reply(res, method, params, err.code, body);
      } else {
        this.#reply(res, method, params, 500, { ok: false, error_code: 500, description: String(err) });
      }
    }
  }

  #reply(
    res: ServerResponse,
    method: string,
    params: Record<string, unknown>,
    status: number,
    body: unknown,
  ): void {
    this.calls.push({ method, params, status, at: Date.now() });
    if (res.destroyed) return;
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
    this.#notify();
  }

  #applyFault(method: string): void {
    const fault = this.#faults.find(
      (f) => f.remaining > 0 && (f.methods ? f.methods.includes(method) : true),
    );
    if (!fault) return;
    fault.remaining--;
    const description = fault.code === 400 ? `Bad Request: ${fault.description}` : fault.description;
    throw new ApiError(
      fault.code,
      description,
      fault.retryAfter === undefined ? undefined : { retry_after: fault.retryAfter },
    );
  }

  #call(method: string, p: Record<string, unknown>): unknown {
    switch (method) {
      case "getMe":
        return this.botInfo;
      case "deleteWebhook":
        this.#webhook = undefined;
        if (p.drop_pending_updates === true || p.drop_pending_updates === "true") this.#pending = [];
        return true;
      case "setWebhook": {
        const url = String(p.url ?? "");
        if (url === "") {
          this.#webhook = undefined;
          return true;
        }
        if (!/^https?:\/\//.test(url))
          throw new ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook");
        const secret = p.secret_token === undefined ? undefined : String(p.secret_token);
        if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) {
          throw new ApiError(400, "Bad Request: bad webhook: secret token contains unallowed characters");
        }
        this.#releaseHeld();
        this.#webhook = { url, secret };
        queueMicrotask(() => this.#flush());
        return true;
      }
      case "getWebhookInfo":
        return {
          url: this.#webhook?.url ?? "",
          has_custom_certificate: false,
          pending_update_count: this.#pending.length,
        };
      case "sendMessage":
        return this.#sendMessage(p);
      case "editMessageText":
        return this.#editMessageText(p);
      case "editMessageReplyMarkup":
        return this.#editMarkup(p);
      case "answerCallbackQuery": {
        const id = String(p.callback_query_id ?? "");
        const q = this.#openQueries.get(id);
        if (!q || q.answered) {
          throw new ApiError(
            400,
            "Bad Request: query is too old and response timeout expired or query ID is invalid",
          );
        }
        q.answered = true;
        this.answeredCallbackQueries.push({
          id,
          text: p.text === undefined ? undefined : String(p.text),
          at: Date.now(),
        });
        return true;
      }
      default:
        throw new ApiError(404, "Not Found");
    }
  }

  #getUpdates(p: Record<string, unknown>, res: ServerResponse): void {
    if (this.#webhook) {
      throw new ApiError(
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      );
    }
    const offset = p.offset === undefined ? 0 : Number(p.offset);
    const limit = Math.min(100, Math.max(1, p.limit === undefined ? 100 : Number(p.limit)));
    const timeout = p.timeout === undefined ? 0 : Number(p.timeout);
    this.#confirm(offset);
    const ready = this.#ready(offset, limit);
    if (ready.length > 0 || timeout <= 0) {
      this.#reply(res, "getUpdates", p, 200, { ok: true, result: ready });
      return;
    }
    if (this.#held && !this.#held.res.destroyed) {
      throw new ApiError(
        409,
        "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
      );
    }
    const timer = setTimeout(() => this.#answerHeld([]), timeout * 1000);
    this.#held = { res, offset, limit, timer };
    res.on("close", () => {
      if (this.#held?.res === res) {
        clearTimeout(this.#held.timer);
        this.#held = undefined;
      }
    });
    this.calls.push({ method: "getUpdates(held)", params: p, status: 0, at: Date.now() });
  }

  #confirm(offset: number): void {
    if (offset <= 0) return;
    this.#pending = this.#pending.filter((u) => u.update_id >= offset);
    if (offset > this.#confirmedBelow) {
      this.#confirmedBelow = offset;
      this.#notify();
    }
  }

  #ready(offset: number, limit: number): Update[] {
    return this.#pending.filter((u) => u.update_id >= offset).slice(0, limit);
  }

  #flush(): void {
    if (this.#webhook) {
      void this.#push();
      return;
    }
    const held = this.#held;
    if (!held) return;
    const ready = this.#ready(held.offset, held.limit);
    if (ready.length > 0) this.#answerHeld(ready);
  }

  #answerHeld(result: Update[]): void {
    const held = this.#held;
    if (!held) return;
    clearTimeout(held.timer);
    this.#held = undefined;
    this.#reply(held.res, "getUpdates", { offset: held.offset }, 200, { ok: true, result });
  }

  #releaseHeld(): void {
    if (this.#held) this.#answerHeld([]);
  }

  /** Delivers pending updates to the webhook one at a time, as Telegram does; a non-2xx is retried later. */
  async #push(): Promise<void> {
    if (this.#pushing) return;
    this.#pushing = true;
    try {
      for (let attempt = 0; this.#webhook && this.#pending.length > 0 && attempt < 20; ) {
        const update = this.#pending[0];
        const { url, secret } = this.#webhook;
        let ok = false;
        try {
          ok = (await this.postWebhook(url, update, secret)).status < 300;
        } catch {
          ok = false;
        }
        if (ok) {
          this.#pending.shift();
          this.#confirmedBelow = Math.max(this.#confirmedBelow, update.update_id + 1);
          this.#notify();
          attempt = 0;
        } else {
          attempt++;
          await new Promise((r) => setTimeout(r, 50 * attempt));
        }
      }
    } finally {
      this.#pushing = false;
    }
  }

  #sendMessage(p: Record<string, unknown>): FakeMessage {
    const chat = this.#chat(Number(p.chat_id));
    const { html, parsed } = parseText(p);
    const markup = checkMarkup(p.reply_markup);
    const replyParams = (p.reply_parameters ?? {}) as {
      message_id?: number;
      allow_sending_without_reply?: boolean;
    };
    const replyId =
      replyParams.message_id ??
      (p.reply_to_message_id === undefined ? undefined : Number(p.reply_to_message_id));
    const allowWithout = replyParams.allow_sending_without_reply ?? p.allow_sending_without_reply === true;
    const replied = replyId === undefined ? undefined : this.#messages.get(key(chat.id, Number(replyId)));
    if (replyId !== undefined && !replied && !allowWithout) {
      throw new ApiError(400, "Bad Request: message to be replied not found");
    }
    let thread = p.message_thread_id === undefined ? undefined : Number(p.message_thread_id);
    if (chat.is_forum) {
      if (thread !== undefined) {
        const root = this.#messages.get(key(chat.id, thread));
        if (!root?.forum_topic_created) throw new ApiError(400, "Bad Request: message thread not found");
      } else if (replied?.is_topic_message) {
        thread = replied.message_thread_id;
      }
    } else {
      thread = undefined;
    }
    const id = this.#allocMessageId(chat.id);
    const msg: FakeMessage = { message_id: id, from: this.bot, chat, date: now(), text: parsed.text };
    if (parsed.entities.length > 0) msg.entities = parsed.entities;
    if (thread !== undefined) {
      msg.message_thread_id = thread;
      msg.is_topic_message = true;
    }
    if (replied) msg.reply_to_message = shallow(replied);
    if (markup) msg.reply_markup = markup;
    this.#messages.set(key(chat.id, id), msg);
    this.#botMessages.push({
      chatId: chat.id,
      messageId: id,
      threadId: thread,
      replyTo: replied?.message_id,
      html,
      text: parsed.text,
      buttons: buttonsOf(markup),
      edits: 0,
      sentAt: Date.now(),
    });
    return msg;
  }

  #editMessageText(p: Record<string, unknown>): FakeMessage {
    const { msg, record } = this.#editable(p);
    const { html, parsed } = parseText(p);
    const markup = checkMarkup(p.reply_markup);
    if (record.html === html && JSON.stringify(msg.reply_markup) === JSON.stringify(markup)) {
      throw new ApiError(
        400,
        "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
      );
    }
    msg.text = parsed.text;
    msg.entities = parsed.entities.length > 0 ? parsed.entities : undefined;
    msg.reply_markup = markup;
    record.html = html;
    record.text = parsed.text;
    record.buttons = buttonsOf(markup);
    record.edits++;
    return msg;
  }

  #editMarkup(p: Record<string, unknown>): FakeMessage {
    const { msg, record } = this.#editable(p);
    const markup = checkMarkup(p.reply_markup);
    if (JSON.stringify(msg.reply_markup) === JSON.stringify(markup)) {
      throw new ApiError(
        400,
        "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
      );
    }
    msg.reply_markup = markup;
    record.buttons = buttonsOf(markup);
    record.edits++;
    return msg;
  }

  #editable(p: Record<string, unknown>): { msg: FakeMessage; record: FakeBotMessage } {
    const chat = this.#chat(Number(p.chat_id));
    const id = Number(p.message_id);
    const msg = this.#messages.get(key(chat.id, id));
    if (!msg) throw new ApiError(400, "Bad Request: message to edit not found");
    const record = this.#botMessages.find((r) => r.chatId === chat.id && r.messageId === id);
    if (!record) throw new ApiError(400, "Bad Request: message can't be edited");
    return { msg, record };
  }

  #chat(id: number): FakeChat {
    const chat = this.#chats.get(id);
    if (!chat) throw new ApiError(400, "Bad Request: chat not found");
    return chat;
  }

  #allocMessageId(chatId: number): number {
    const id = this.#nextMessageId.get(chatId) ?? 1;
    this.#nextMessageId.set(chatId, id + 1);
    return id;
  }

  #notify(): void {
    for (const w of [...this.#waiters]) w();
  }

  async #waitUntil(probe: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (probe()) return;
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!probe()) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`fake Telegram: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.#waiters.add(check);
    });
  }
}

function parseText(p: Record<string, unknown>): {
  html: string;
  parsed: { text: string; entities: TelegramEntity[] };
} {
  const html = p.text === undefined ? "" : String(p.text);
  let parsed: { text: string; entities: TelegramEntity[] } = { text: html, entities: [] };
  const mode = p.parse_mode === undefined ? "" : String(p.parse_mode);
  if (mode.toLowerCase() === "html") {
    try {
      parsed = parseTelegramHtml(html);
    } catch (err) {
      if (err instanceof TelegramHtmlError)
        throw new ApiError(400, `Bad Request: can't parse entities: ${err.message}`);
      throw err;
    }
  } else if (mode !== "") {
    throw new ApiError(400, `Bad Request: unsupported parse_mode ${mode} in this fake`);
  }
  if (parsed.text.trim() === "") throw new ApiError(400, "Bad Request: message text is empty");
  if (parsed.text.length > 4096) throw new ApiError(400, "Bad Request: message is too long");
  return { html, parsed };
}

function checkMarkup(raw: unknown): FakeMessage["reply_markup"] {
  if (raw === undefined || raw === null) return undefined;
  const markup = (typeof raw === "string" ? JSON.parse(raw) : raw) as FakeMessage["reply_markup"];
  if (!markup || !Array.isArray(markup.inline_keyboard)) return undefined;
  for (const row of markup.inline_keyboard) {
    for (const b of row) {
      if (typeof b.text !== "string" || b.text === "")
        throw new ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard");
      if (b.callback_data !== undefined) {
        const bytes = Buffer.byteLength(String(b.callback_data), "utf8");
        if (bytes < 1 || bytes > 64) throw new ApiError(400, "Bad Request: BUTTON_DATA_INVALID");
      } else if (b.url === undefined) {
        throw new ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard");
      }
    }
  }
  return markup;
}

function buttonsOf(markup: FakeMessage["reply_markup"]): { text: string; callback_data: string }[] {
  return (markup?.inline_keyboard ?? [])
    .flat()
    .filter((b) => b.callback_data !== undefined)
    .map((b) => ({ text: b.text, callback_data: String(b.callback_data) }));
}

/** Telegram nests no reply_to_message inside a reply_to_message. */
function shallow(msg: FakeMessage): FakeMessage {
  const { reply_to_message: _drop, ...rest } = msg;
  return rest;
}

function key(chatId: number, messageId: number): string {
  return `${chatId}/${messageId}`;
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}

/** Reads a Bot API request body: JSON, urlencoded or multipart (JSON-looking fields are decoded as the API does). */
async function readParams(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks);
  if (body.length === 0) return {};
  const type = String(req.headers["content-type"] ?? "");
  if (type.includes("application/json")) return JSON.parse(body.toString("utf8")) as Record<string, unknown>;
  let entries: [string, string][] = [];
  if (type.includes("application/x-www-form-urlencoded")) {
    entries = [...new URLSearchParams(body.toString("utf8"))];
  } else if (type.includes("multipart/form-data")) {
    const form = await new Response(body, { headers: { "content-type": type } }).formData();
    for (const [k, v] of form) if (typeof v === "string") entries.push([k, v]);
  } else {
    throw new ApiError(400, "Bad Request: unsupported content type");
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries)
    out[k] = /^[[{]/.test(v) ? JSON.parse(v) : v === "true" ? true : v === "false" ? false : v;
  return out;
}
