// The Telegram ChatAdapter: grammY against the Bot API (or a self-hosted server / the
// fake), long polling by default or a webhook served by Vigil's Fastify; cards as HTML.

import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { Bot, type Context, GrammyError, webhookCallback } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import { AdapterStatusTracker } from "../../src/core/adapter-status.ts";
import type { Card } from "../../src/core/card.ts";
import type {
  AdapterStatus,
  ChatAdapter,
  InboundEvent,
  InboundHandler,
  MessageRef,
  ReplyTarget,
} from "../../src/core/chat-adapter.ts";
import { DeliveryQueue } from "../../src/core/delivery-queue.ts";
import { ErrorCodes, PlatformRefusedError, VigilError } from "../../src/core/errors.ts";
import { ChatPacer } from "./chat-pacer.ts";
import { normalizeTelegramUpdate, TOPIC_PREFIX } from "./normalize-telegram-update.ts";
import { renderTelegramCard } from "./render-telegram.ts";
import { describeTelegramError, isNotModified, toPlatformError } from "./telegram-errors.ts";

/** A pino-like logger, typed only as far as this adapter uses it. */
export interface TelegramLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface TelegramAdapterOptions {
  /** TELEGRAM_BOT_TOKEN. */
  token: string;
  /** TELEGRAM_API_ROOT, e.g. a self-hosted Bot API server; no trailing slash. */
  apiRoot?: string;
  mode?: "polling" | "webhook";
  /** TELEGRAM_WEBHOOK_SECRET; webhook mode refuses to start without it. */
  webhookSecret?: string;
  /** Public URL of Vigil's webhook route; when set, start() registers it with setWebhook. */
  webhookUrl?: string;
  /** Route path for webhookPlugin(); default /telegram/webhook. */
  webhookPath?: string;
  log?: TelegramLog;
  /** Skip getMe at start (the bot's identity is known). */
  botInfo?: UserFromGetMe;
  /** The command that addresses Vigil, without the slash; default "vigil". */
  command?: string;
  /** Long-poll hold time asked of Telegram, in seconds; default 30. */
  pollingTimeoutSeconds?: number;
  /** Reconnect backoff after a failure; default 1 s doubling up to 60 s. */
  reconnect?: { initialMs?: number; maxMs?: number };
  /** Outbound limits; defaults follow Telegram's: 30/s overall, about 1/s per chat. */
  rate?: { globalPerSecond?: number; globalBurst?: number; perChatPerSecond?: number; perChatBurst?: number };
  /** Attempts and base backoff for failed deliveries. */
  delivery?: { maxAttempts?: number; backoffMs?: number };
}

const SILENT: TelegramLog = { info() {}, warn() {}, error() {}, debug() {} };
const ALLOWED_UPDATES = ["message", "callback_query"] as const;
const MAX_REMEMBERED_SENDS = 1000;
/** Calls whose failure means "not connected", as opposed to one message failing. */
const CONNECTION_METHODS = new Set(["getMe", "deleteWebhook", "setWebhook", "getUpdates"]);

type ThreadParams =
  | { message_thread_id: number }
  | { reply_parameters: { message_id: number; allow_sending_without_reply: boolean } }
  | Record<string, never>;

/** Longest one update holds the next poll; see #onUpdate. */
const HANDLER_HOLD_MS = 500;

export class TelegramAdapter implements ChatAdapter {
  readonly platform = "telegram" as const;
  readonly #opts: TelegramAdapterOptions;
  readonly #log: TelegramLog;
  readonly #apiRoot: string;
  readonly #bot: Bot;
  readonly #status = new AdapterStatusTracker("telegram");
  readonly #queue: DeliveryQueue;
  readonly #pacer: ChatPacer;
  /** Message ids of every part of a split card, keyed by the ref send() returned. */
  readonly #parts = new Map<string, string[]>();
  readonly #inflight = new Set<Promise<void>>();
  #handler: InboundHandler | undefined;
  #stopping = false;
  #attempt = 0;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #polling: Promise<void> | undefined;

  constructor(opts: TelegramAdapterOptions) {
    this.#opts = opts;
    this.#log = opts.log ?? SILENT;
    this.#apiRoot = opts.apiRoot ?? "https://api.telegram.org";
    const pollSeconds = opts.pollingTimeoutSeconds ?? 30;
    this.#bot = new Bot(opts.token, {
      botInfo: opts.botInfo,
      // The client timeout must outlast a held long poll, or every idle poll would fail.
      client: { apiRoot: this.#apiRoot, timeoutSeconds: pollSeconds + 15 },
    });
    this.#bot.api.config.use(async (prev, method, payload, signal) => {
      try {
        const res = await prev(method, payload, signal);
        if (CONNECTION_METHODS.has(method) && !this.#stopping) {
          if (!res.ok)
            this.#markPollError(new GrammyError(`Call to '${method}' failed!`, res, method, payload));
          else if (method === "getUpdates") this.#markConnected();
        }
        return res;
      } catch (err) {
        // grammY retries these by itself (polling every 3 s); status() must still show the outage.
        if (CONNECTION_METHODS.has(method) && !this.#stopping && !signal?.aborted) this.#markPollError(err);
        throw err;
      }
    });
    this.#bot.use((ctx) => this.#onUpdate(ctx));
    this.#bot.catch((err) => this.#log.error({ err: err.error }, "Telegram update handling failed"));
    const rate = opts.rate ?? {};
    this.#queue = new DeliveryQueue({
      ratePerSecond: rate.globalPerSecond ?? 30,
      burst: rate.globalBurst ?? 30,
      maxAttempts: opts.delivery?.maxAttempts ?? 5,
      backoffMs: opts.delivery?.backoffMs ?? 250,
      isPermanent: (err) => err instanceof PlatformRefusedError,
      log: this.#log,
    });
    this.#pacer = new ChatPacer({ perSecond: rate.perChatPerSecond ?? 1, burst: rate.perChatBurst ?? 5 });
  }

  async start(handler: InboundHandler): Promise<void> {
    this.#handler = handler;
    this.#stopping = false;
    this.#attempt = 0;
    if (this.#mode === "webhook" && !this.#opts.webhookSecret) {
      const err = missingSecretError();
      this.#status.set("error", err);
      this.#log.error({ code: err.code }, err.message);
      throw err;
    }
    this.#status.set("connecting");
    await this.#connect();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    if (this.#bot.isRunning()) {
      // stop() confirms the last update with one more getUpdates; the API may be gone by now.
      await this.#bot
        .stop()
        .catch((err: unknown) => this.#log.warn({ err }, "Telegram: could not confirm the last update"));
    }
    await this.#polling;
    this.#polling = undefined;
    this.#handler = undefined;
    this.#status.set("stopped");
  }

  status(): AdapterStatus {
    return this.#status.get();
  }

  async send(target: ReplyTarget, card: Card): Promise<MessageRef> {
    const parts = renderTelegramCard(card);
    const chatId = target.conversation;
    const thread = threadParams(target.thread);
    // Enqueue every part in one turn so another card to this chat cannot interleave.
    const sends = parts.map((part) =>
      this.#queue.enqueue(chatId, () =>
        this.#api(async () => {
          await this.#pacer.take(chatId);
          return this.#bot.api.sendMessage(chatId, part.html, {
            parse_mode: "HTML",
            link_preview_options: { is_disabled: true },
            reply_markup: part.reply_markup,
            ...thread,
          });
        }),
      ),
    );
    const sent = await Promise.all(sends);
    const ids = sent.map((m) => String(m.message_id));
    const ref: MessageRef = {
      platform: "telegram",
      conversation: chatId,
      thread: target.thread,
      messageId: ids.at(-1)!,
    };
    if (ids.length > 1) this.#rememberParts(ref, ids);
    return ref;
  }

  async update(ref: MessageRef, card: Card): Promise<void> {
    const parts = renderTelegramCard(card);
    const ids = this.#parts.get(refKey(ref)) ?? [ref.messageId];
    let pairs: [string, (typeof parts)[number]][];
    if (parts.length === ids.length) pairs = ids.map((id, i) => [id, parts[i]]);
    else {
      // The card changed length; the message with the buttons takes the last part.
      this.#log.warn(
        { ref, parts: parts.length, messages: ids.length },
        "Telegram: updated card has a different number of parts",
      );
      pairs = [[ref.messageId, parts[parts.length - 1]]];
    }
    await Promise.all(
      pairs.map(([id, part]) =>
        this.#queue.enqueue(ref.conversation, () =>
          this.#api(async () => {
            try {
              await this.#bot.api.editMessageText(ref.conversation, Number(id), part.html, {
                parse_mode: "HTML",
                link_preview_options: { is_disabled: true },
                reply_markup: part.reply_markup ?? { inline_keyboard: [] },
              });
            } catch (err) {
              if (!isNotModified(err)) throw err;
            }
          }),
        ),
      ),
    );
  }

  /** A Fastify plugin that serves the webhook route (Vigil's web server registers it). */
  webhookPlugin(): (app: FastifyInstance) => Promise<void> {
    const secret = this.#opts.webhookSecret;
    if (!secret) throw missingSecretError();
    const path = this.#opts.webhookPath ?? "/telegram/webhook";
    const callback = webhookCallback(this.#bot, "fastify", { secretToken: secret });
    const expected = digest(secret);
    return async (app) => {
      app.post(path, async (request, reply) => {
        const header = request.headers["x-telegram-bot-api-secret-token"];
        if (typeof header !== "string" || !timingSafeEqual(digest(header), expected)) {
          this.#log.warn({ ip: request.ip }, "Telegram webhook: secret token missing or wrong, rejected");
          return reply.code(401).send({ error: "secret token missing or wrong" });
        }
        if (!this.#handler) return reply.code(503).send({ error: "the Telegram adapter is not running" });
        return callback(request, reply);
      });
    };
  }

  get #mode(): "polling" | "webhook" {
    return this.#opts.mode ?? "polling";
  }

  async #connect(): Promise<void> {
    if (this.#stopping) return;
    try {
      if (!this.#bot.isInited()) this.#bot.botInfo = await this.#bot.api.getMe();
      if (this.#mode === "polling") {
        await this.#bot.api.deleteWebhook();
        if (this.#stopping) return;
        this.#launchPolling();
      } else if (this.#opts.webhookUrl) {
        await this.#bot.api.setWebhook(this.#opts.webhookUrl, {
          secret_token: this.#opts.webhookSecret,
          allowed_updates: [...ALLOWED_UPDATES],
        });
      }
      this.#attempt = 0;
      this.#markConnected();
    } catch (err) {
      this.#fail(err);
    }
  }

  #launchPolling(): void {
    // bot.start() resolves only when polling stops; it rejects on 401 and 409, which we retry with backoff.
    this.#polling = this.#bot
      .start({ timeout: this.#opts.pollingTimeoutSeconds ?? 30, allowed_updates: [...ALLOWED_UPDATES] })
      .then(
        () => {
          if (!this.#stopping) this.#fail(new Error("Telegram long polling ended unexpectedly"));
        },
        (err: unknown) => this.#fail(err),
      );
  }

  #fail(err: unknown): void {
    if (this.#stopping) return;
    const message = describeTelegramError(err, this.#apiRoot);
    this.#status.set("error", new Error(message));
    const delay = Math.min(
      this.#opts.reconnect?.maxMs ?? 60_000,
      (this.#opts.reconnect?.initialMs ?? 1000) * 2 ** this.#attempt,
    );
    this.#attempt++;
    this.#log.error({ err, retryInMs: delay }, message);
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = setTimeout(() => void this.#connect(), delay);
    this.#reconnectTimer.unref();
  }

  #markConnected(): void {
    if (this.#status.get().state !== "connected")
      this.#log.info({ apiRoot: this.#apiRoot }, "Telegram connected");
    this.#status.set("connected");
  }

  #markPollError(err: unknown): void {
    const message = describeTelegramError(err, this.#apiRoot);
    if (this.#status.get().state !== "error") this.#log.error({ err }, message);
    this.#status.set("error", new Error(message));
  }

  async #onUpdate(ctx: Context): Promise<void> {
    if (ctx.update.callback_query) {
      // Always answer, first: the user's spinner stops and Telegram's 15 s window is met whatever happens next.
      await ctx
        .answerCallbackQuery()
        .catch((err: unknown) => this.#log.warn({ err }, "Telegram: answerCallbackQuery failed"));
    }
    const event = normalizeTelegramUpdate(ctx.update, {
      botUsername: this.#bot.isInited() ? this.#bot.botInfo.username : undefined,
      command: this.#opts.command,
    });
    if (!event || !this.#handler) return;
    const run = this.#dispatch(this.#handler, event);
    // Wait for a quick handler before grammY polls again, so its reply leaves before the next
    // getUpdates instead of racing it (a third of the round trip); a slow one (a click the core
    // awaits) stops holding the poll after HANDLER_HOLD_MS.
    let timer: NodeJS.Timeout | undefined;
    const hold = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, HANDLER_HOLD_MS);
    });
    await Promise.race([run, hold]);
    clearTimeout(timer);
  }

  /** Hands the event to the core without waiting: a slow operator in one chat must not hold every other update. */
  #dispatch(handler: InboundHandler, event: InboundEvent): Promise<void> {
    const run = handler(event).catch((err: unknown) =>
      this.#log.error({ err, eventId: event.eventId }, "Telegram: the inbound handler failed"),
    );
    this.#inflight.add(run);
    void run.finally(() => this.#inflight.delete(run));
    return run;
  }

  async #api<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw toPlatformError(err, this.#apiRoot);
    }
  }

  #rememberParts(ref: MessageRef, ids: string[]): void {
    this.#parts.set(refKey(ref), ids);
    if (this.#parts.size > MAX_REMEMBERED_SENDS) this.#parts.delete(this.#parts.keys().next().value!);
  }
}

/** The webhook route of an adapter, as a Fastify plugin. */
export function telegramWebhookRoute(adapter: TelegramAdapter): (app: FastifyInstance) => Promise<void> {
  return adapter.webhookPlugin();
}

function threadParams(thread: string | undefined): ThreadParams {
  if (thread === undefined) return {};
  if (thread.startsWith(TOPIC_PREFIX))
    return { message_thread_id: Number(thread.slice(TOPIC_PREFIX.length)) };
  // Outside forums the thread is a reply chain rooted at this message; the root may have been deleted.
  return { reply_parameters: { message_id: Number(thread), allow_sending_without_reply: true } };
}

function refKey(ref: MessageRef): string {
  return `${ref.conversation}/${ref.messageId}`;
}

function digest(s: string): Buffer {
  return createHash("sha256").update(s).digest();
}

function missingSecretError(): VigilError {
  return new VigilError(
    ErrorCodes.ADAPTER_START,
    "Telegram webhook mode needs a secret — set TELEGRAM_WEBHOOK_SECRET (a webhook without one would accept anyone's updates)",
  );
}
