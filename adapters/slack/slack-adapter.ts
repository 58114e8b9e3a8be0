// The Slack ChatAdapter: Bolt in Socket Mode (default) or HTTP mode, events normalized to
// InboundEvents, cards sent as Block Kit through a rate-limited delivery queue, reconnects with backoff.

import { App, HTTPReceiver, LogLevel, SocketModeReceiver, webApi } from "@slack/bolt";
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
import { DeliveryQueue, RateLimitedError } from "../../src/core/delivery-queue.ts";
import {
  ErrorCodes,
  PlatformRefusedError,
  PlatformUnreachableError,
  VigilError,
} from "../../src/core/errors.ts";
import { renderSlack, type SlackMessagePart } from "./render-slack.ts";

type BoltApp = InstanceType<typeof App>;
type BoltWebClient = InstanceType<typeof webApi.WebClient>;
type BoltSocketReceiver = InstanceType<typeof SocketModeReceiver>;

/** The structured logger Vigil passes around (pino fits). */
export interface SlackAdapterLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface SlackAdapterOptions {
  /** Bot token, xoxb-… (SLACK_BOT_TOKEN). */
  botToken: string;
  /** App-level token, xapp-… (SLACK_APP_TOKEN); needed for Socket Mode. */
  appToken?: string;
  /** Signing secret (SLACK_SIGNING_SECRET); needed for HTTP mode. */
  signingSecret?: string;
  /** Web API base URL with trailing slash (SLACK_API_URL), e.g. for GovSlack or tests. */
  apiUrl?: string;
  /** Socket Mode needs no public URL; defaults to it whenever an app token is given. */
  mode?: "socket" | "http";
  /** HTTP mode: port of the receiver serving /slack/events (default 3001; 0 picks a free one). */
  httpPort?: number;
  /** HTTP mode: interface to listen on (default 127.0.0.1). */
  httpHost?: string;
  log?: SlackAdapterLog;
  /** Sustained outbound messages per second (Slack allows about 1 per channel). */
  ratePerSecond?: number;
  /** Messages allowed back to back before the rate applies. */
  burst?: number;
  /** The slash command Vigil answers. */
  command?: string;
  /** First reconnect delay; doubles per failure up to `retryMaxMs`. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Timeout of one Web API call. */
  requestTimeoutMs?: number;
  /** Attempts per outbound message, including the first. */
  deliveryAttempts?: number;
}

const TS = /^\d+\.\d+$/;
const COMMAND_THREAD = "command:";
const TRANSIENT_PLATFORM_ERRORS = new Set([
  "internal_error",
  "fatal_error",
  "service_unavailable",
  "request_timeout",
  "ratelimited",
]);
const BAD_TOKEN_ERRORS = new Set([
  "invalid_auth",
  "not_authed",
  "account_inactive",
  "token_revoked",
  "token_expired",
  "not_allowed_token_type",
]);
const SEEN_LIMIT = 2000;

const silentLog: SlackAdapterLog = { info() {}, warn() {}, error() {}, debug() {} };

export class SlackAdapter implements ChatAdapter {
  readonly platform = "slack" as const;
  readonly #opts: SlackAdapterOptions;
  readonly #mode: "socket" | "http";
  readonly #log: SlackAdapterLog;
  readonly #status = new AdapterStatusTracker("slack");
  readonly #queue: DeliveryQueue;
  readonly #web: BoltWebClient;
  readonly #clientOptions: Record<string, unknown>;
  #handler: InboundHandler | undefined;
  #app: BoltApp | undefined;
  #socket: BoltSocketReceiver | undefined;
  #botUserId: string | undefined;
  #botId: string | undefined;
  #listeningPort: number | undefined;
  #socketUp = false;
  #stopping = true;
  #failures = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #attempting: Promise<void> | undefined;
  /** channel:ts of messages already handed over, so `message` + `app_mention` for one post count once. */
  readonly #seen = new Map<string, string>();
  /** Slash-command thread keys mapped to the ts of the first reply, which opened the thread. */
  readonly #commandThreads = new Map<string, string>();

  constructor(opts: SlackAdapterOptions) {
    this.#opts = opts;
    this.#mode = opts.mode ?? (opts.appToken || !opts.signingSecret ? "socket" : "http");
    this.#log = opts.log ?? silentLog;
    this.#clientOptions = {
      slackApiUrl: opts.apiUrl ?? "https://slack.com/api/",
      // The delivery queue owns retries and rate limits; the SDK must not retry behind its back.
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: opts.requestTimeoutMs ?? 10_000,
      logger: boltLogger(this.#log, () => undefined),
    };
    this.#web = new webApi.WebClient(opts.botToken, { ...this.#clientOptions });
    this.#queue = new DeliveryQueue({
      ratePerSecond: opts.ratePerSecond ?? 1,
      burst: opts.burst ?? 3,
      maxAttempts: opts.deliveryAttempts ?? 5,
      isPermanent: (err) => err instanceof PlatformRefusedError,
      log: this.#log,
    });
  }

  /** HTTP mode: the URL Slack should post events, interactivity and slash commands to, once listening. */
  get requestUrl(): string | undefined {
    if (this.#listeningPort === undefined) return undefined;
    return `http://${this.#opts.httpHost ?? "127.0.0.1"}:${this.#listeningPort}/slack/events`;
  }

  status(): AdapterStatus {
    return this.#status.get();
  }

  async start(handler: InboundHandler): Promise<void> {
    this.#handler = handler;
    this.#stopping = false;
    this.#failures = 0;
    this.#status.set("connecting");
    await this.#attempt();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    await withDeadline(this.#attempting ?? Promise.resolve(), 3000).catch(() => undefined);
    if (this.#socket) {
      const client = this.#socket.client;
      this.#socketUp = false;
      await withDeadline(client.disconnect(), 3000).catch((err) =>
        this.#log.warn({ err }, "Slack Socket Mode did not close cleanly"),
      );
    }
    if (this.#app && this.#listeningPort !== undefined) {
      this.#listeningPort = undefined;
      await this.#app
        .stop()
        .catch((err: unknown) => this.#log.warn({ err }, "Slack HTTP receiver did not stop cleanly"));
    }
    this.#status.set("stopped");
  }

  async send(target: ReplyTarget, card: Card): Promise<MessageRef> {
    const parts = renderSlack(card);
    const channel = target.conversation;
    const commandKey = target.thread?.startsWith(COMMAND_THREAD) ? target.thread : undefined;
    let threadTs = this.#threadTs(target.thread);
    let lastTs = "";
    let previous: Promise<unknown> = Promise.resolve();
    // All parts are queued now, back to back, so a concurrent send cannot interleave with them.
    const jobs = parts.map((part) => {
      const before = previous;
      const job = this.#queue.enqueue(channel, async () => {
        // A part whose predecessor failed for good is dropped rather than posted out of context.
        if (
          !(await before.then(
            () => true,
            () => false,
          ))
        )
          return;
        const ts = await this.#post(channel, threadTs, part);
        lastTs = ts;
        if (threadTs === undefined) {
          // The first message of a fresh conversation opens the thread the rest goes into.
          threadTs = ts;
          if (commandKey) this.#rememberCommandThread(commandKey, ts);
        }
      });
      previous = job;
      return job;
    });
    await Promise.all(jobs);
    return { platform: "slack", conversation: channel, thread: threadTs, messageId: lastTs };
  }

  async update(ref: MessageRef, card: Card): Promise<void> {
    const parts = renderSlack(card);
    // The ref is the message that carried the buttons: the last part holds them and the state line.
    const part = parts[parts.length - 1];
    await this.#queue.enqueue(ref.conversation, () =>
      this.#call("chat.update", () =>
        this.#web.chat.update({
          channel: ref.conversation,
          ts: ref.messageId,
          text: part.text,
          blocks: part.blocks,
        }),
      ),
    );
  }

  // ---- connecting ------------------------------------------------------------------------

  #attempt(): Promise<void> {
    const run = this.#connect().finally(() => {
      if (this.#attempting === run) this.#attempting = undefined;
    });
    this.#attempting = run;
    return run;
  }

  async #connect(): Promise<void> {
    try {
      this.#checkConfig();
      const auth = await this.#call("auth.test", () => this.#web.auth.test());
      this.#botUserId = String(auth.user_id ?? "");
      this.#botId = String(auth.bot_id ?? "");
      if (this.#stopping) return;
      const app = this.#app ?? this.#buildApp();
      if (this.#mode === "socket") {
        await this.#openSocket();
      } else if (this.#listeningPort === undefined) {
        const server = (await app.start({
          port: this.#opts.httpPort ?? 3001,
          host: this.#opts.httpHost ?? "127.0.0.1",
        })) as { address(): { port: number } | string | null };
        const address = server.address();
        this.#listeningPort = typeof address === "object" && address ? address.port : this.#opts.httpPort;
      }
      if (this.#stopping) return;
      this.#failures = 0;
      this.#status.set("connected");
      this.#log.info({ mode: this.#mode, botUserId: this.#botUserId }, "connected to Slack");
    } catch (err) {
      if (this.#stopping) return;
      this.#status.set("error", err);
      this.#log.error({ err, mode: this.#mode }, describe(err));
      if (err instanceof VigilError && err.code === ErrorCodes.CONFIG_INVALID) return; // retrying cannot fix config
      this.#scheduleRetry();
    }
  }

  /** Opens the Socket Mode connection; a handshake that never completes counts as a failure. */
  async #openSocket(): Promise<void> {
    const client = (this.#socket as BoltSocketReceiver).client;
    const timeoutMs = this.#opts.requestTimeoutMs ?? 10_000;
    try {
      await withDeadline(client.start(), timeoutMs);
    } catch (err) {
      if (err instanceof DeadlineError) {
        void client.disconnect().catch(() => undefined);
        throw new PlatformUnreachableError(
          `Slack did not complete the Socket Mode handshake within ${timeoutMs} ms`,
        );
      }
      throw mapSlackError(err, "apps.connections.open", this.#opts.apiUrl);
    }
    this.#socketUp = true;
  }

  #scheduleRetry(delayMs?: number): void {
    if (this.#stopping || this.#retryTimer) return;
    const base = this.#opts.retryBaseMs ?? 1000;
    const delay = delayMs ?? Math.min(this.#opts.retryMaxMs ?? 60_000, base * 2 ** this.#failures);
    if (delayMs === undefined) this.#failures++;
    this.#log.info({ delayMs: delay, attempt: this.#failures }, "reconnecting to Slack after a delay");
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      if (this.#stopping) return;
      this.#status.set("connecting");
      void this.#attempt();
    }, delay);
  }

  #checkConfig(): void {
    if (!this.#opts.botToken) throw configError("no Slack bot token — set SLACK_BOT_TOKEN (xoxb-…)");
    if (this.#mode === "socket" && !this.#opts.appToken) {
      throw configError(
        "Socket Mode needs an app-level token — set SLACK_APP_TOKEN (xapp-…), or SLACK_SIGNING_SECRET for HTTP mode",
      );
    }
    if (this.#mode === "http" && !this.#opts.signingSecret) {
      throw configError("HTTP mode needs the request signing secret — set SLACK_SIGNING_SECRET");
    }
  }

  #buildApp(): BoltApp {
    const logger = boltLogger(this.#log, (message) => this.#status.set(this.#status.get().state, message));
    let receiver: InstanceType<typeof HTTPReceiver> | BoltSocketReceiver;
    if (this.#mode === "socket") {
      const socket = new SocketModeReceiver({
        appToken: this.#opts.appToken as string,
        logger,
        // Reconnecting is ours: Bolt's own loop gives up on network errors with an unhandled rejection.
        autoReconnectEnabled: false,
        installerOptions: { clientOptions: { ...this.#clientOptions } },
      });
      socket.client.on("disconnected", () => this.#onSocketDown());
      this.#socket = socket;
      receiver = socket;
    } else {
      receiver = new HTTPReceiver({
        signingSecret: this.#opts.signingSecret as string,
        endpoints: "/slack/events",
        logger,
        // Ack is sent as soon as a listener calls ack(); the handler runs after, detached.
        processBeforeResponse: false,
      });
    }
    const app = new App({
      token: this.#opts.botToken,
      botId: this.#botId,
      botUserId: this.#botUserId,
      receiver,
      logger,
      clientOptions: { ...this.#clientOptions },
    });
    this.#register(app);
    this.#app = app;
    return app;
  }

  #onSocketDown(): void {
    // A start() that fails also emits this; only a connection we had counts as lost.
    if (this.#stopping || !this.#socketUp) return;
    this.#socketUp = false;
    // Slack also closes sockets routinely (a `disconnect` refresh), so the first attempt comes at once;
    // failures after it back off.
    const lost = new PlatformUnreachableError("lost the Slack Socket Mode connection; reconnecting");
    this.#status.set("connecting", lost);
    this.#log.warn({}, lost.message);
    this.#scheduleRetry(0);
  }

  // ---- inbound ---------------------------------------------------------------------------

  #register(app: BoltApp): void {
    // Bolt acks Events API deliveries itself before listeners run.
    app.event("message", async ({ event }) => this.#onMessageEvent(event as unknown as SlackMessageEvent));
    app.event("app_mention", async ({ event }) =>
      this.#onMessageEvent(event as unknown as SlackMessageEvent),
    );

    app.command(this.#opts.command ?? "/vigil", async ({ command, ack }) => {
      // Slack retries after 3 s; ack first, work after.
      await ack();
      const key = `${COMMAND_THREAD}${command.trigger_id}`;
      this.#dispatch({
        kind: "message",
        platform: "slack",
        conversation: command.channel_id,
        user: { id: command.user_id, name: command.user_name },
        eventId: key,
        receivedAt: new Date(),
        messageId: key,
        text: command.text.trim(),
        command: true,
      });
    });

    app.action({ type: "block_actions" }, async ({ ack, body }) => {
      await ack();
      const payload = body as unknown as BlockActionsPayload;
      const action = payload.actions?.[0];
      const messageTs = payload.container?.message_ts ?? payload.message?.ts;
      const conversation = payload.channel?.id ?? payload.container?.channel_id;
      if (!action || !messageTs || !conversation) return;
      const thread = payload.container?.thread_ts ?? payload.message?.thread_ts;
      this.#dispatch({
        kind: "action",
        platform: "slack",
        conversation,
        thread,
        user: { id: payload.user.id, name: payload.user.username ?? payload.user.name },
        eventId: `action:${messageTs}:${action.action_ts}`,
        receivedAt: new Date(),
        actionId: action.value ?? action.action_id,
        message: { platform: "slack", conversation, thread, messageId: messageTs },
      });
    });

    app.error(async (err) => {
      this.#log.error({ err }, "Slack listener failed");
    });
  }

  #onMessageEvent(event: SlackMessageEvent): void {
    if (event.subtype !== undefined && event.subtype !== "thread_broadcast" && event.subtype !== "file_share")
      return;
    if (!event.user || !event.channel || !event.ts) return;
    if (event.user === this.#botUserId || (event.bot_id && event.bot_id === this.#botId)) return;
    const key = `${event.channel}:${event.ts}`;
    const first = this.#seen.get(key);
    // A mention arrives as both `message` and `app_mention`; a retry repeats the same type and passes on.
    if (first !== undefined && first !== event.type) return;
    if (first === undefined) this.#remember(key, event.type);
    const thread = event.thread_ts && event.thread_ts !== event.ts ? event.thread_ts : undefined;
    this.#dispatch({
      kind: "message",
      platform: "slack",
      conversation: event.channel,
      thread,
      user: { id: event.user },
      // One id per posted message, stable across Slack retries and across message/app_mention.
      eventId: `message:${event.channel}:${event.ts}`,
      receivedAt: new Date(),
      messageId: event.ts,
      text: this.#stripMention(event.text ?? ""),
    });
  }

  #stripMention(text: string): string {
    if (!this.#botUserId) return text.trim();
    return text.replace(new RegExp(`^\\s*<@${this.#botUserId}(\\|[^>]*)?>[:,]?\\s*`), "").trim();
  }

  #dispatch(event: InboundEvent): void {
    const handler = this.#handler;
    if (!handler || this.#stopping) return;
    // Detached: the handler may wait on outbound rate limits; inbound handling must not.
    void handler(event).catch((err: unknown) =>
      this.#log.error({ err, eventId: event.eventId }, "handling a Slack event failed"),
    );
  }

  #remember(key: string, type: string): void {
    this.#seen.set(key, type);
    if (this.#seen.size > SEEN_LIMIT) this.#seen.delete(this.#seen.keys().next().value as string);
  }

  #rememberCommandThread(key: string, ts: string): void {
    this.#commandThreads.set(key, ts);
    if (this.#commandThreads.size > SEEN_LIMIT) {
      this.#commandThreads.delete(this.#commandThreads.keys().next().value as string);
    }
  }

  // ---- outbound --------------------------------------------------------------------------

  /** The thread_ts to post with: a Slack ts as is, a slash command's key via the thread its first reply opened. */
  #threadTs(thread: string | undefined): string | undefined {
    if (thread === undefined) return undefined;
    if (TS.test(thread)) return thread;
    if (thread.startsWith(COMMAND_THREAD)) return this.#commandThreads.get(thread);
    return undefined;
  }

  async #post(channel: string, threadTs: string | undefined, part: SlackMessagePart): Promise<string> {
    const res = await this.#call("chat.postMessage", () =>
      this.#web.chat.postMessage({
        channel,
        text: part.text,
        blocks: part.blocks,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        unfurl_links: false,
        unfurl_media: false,
      } as Parameters<BoltWebClient["chat"]["postMessage"]>[0]),
    );
    return String(res.ts);
  }

  async #call<T>(method: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw mapSlackError(err, method, this.#opts.apiUrl);
    }
  }
}

interface SlackMessageEvent {
  type: string;
  subtype?: string;
  channel?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  ts?: string;
  thread_ts?: string;
}

interface BlockActionsPayload {
  user: { id: string; username?: string; name?: string };
  channel?: { id: string };
  container?: { message_ts?: string; channel_id?: string; thread_ts?: string };
  message?: { ts?: string; thread_ts?: string };
  actions?: { action_id: string; value?: string; action_ts: string }[];
}

function configError(message: string): VigilError {
  return new VigilError(ErrorCodes.CONFIG_INVALID, message);
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Turns a @slack/web-api error into Vigil's: 429 → RateLimitedError, a Slack "no" → PlatformRefusedError
 * with advice, a network failure → PlatformUnreachableError.
 */
export function mapSlackError(err: unknown, method: string, apiUrl = "https://slack.com/api/"): Error {
  if (err instanceof VigilError || err instanceof RateLimitedError) return err;
  const e = err as {
    code?: string;
    retryAfter?: number;
    data?: { error?: string; needed?: string };
    statusCode?: number;
    original?: Error;
  };
  switch (e?.code) {
    case webApi.ErrorCode.RateLimitedError:
      return new RateLimitedError(Math.max(0, Number(e.retryAfter ?? 1)) * 1000, { cause: err });
    case webApi.ErrorCode.PlatformError: {
      const code = e.data?.error ?? "unknown_error";
      if (code === "ratelimited") return new RateLimitedError(1000, { cause: err });
      if (TRANSIENT_PLATFORM_ERRORS.has(code)) {
        return new PlatformUnreachableError(
          `Slack could not serve ${method} right now (${code}); will retry`,
          {
            cause: err,
          },
        );
      }
      return new PlatformRefusedError(refusalAdvice(code, method, e.data?.needed), { cause: err });
    }
    case webApi.ErrorCode.HTTPError: {
      const status = Number(e.statusCode);
      if (status >= 500) {
        return new PlatformUnreachableError(
          `the Slack API answered HTTP ${status} to ${method}; will retry`,
          {
            cause: err,
          },
        );
      }
      return new PlatformRefusedError(
        `the Slack API answered HTTP ${status} to ${method} — check SLACK_API_URL`,
        {
          cause: err,
          status,
        },
      );
    }
    case webApi.ErrorCode.RequestError:
      return new PlatformUnreachableError(
        `cannot reach the Slack API at ${apiUrl} (${e.original?.message ?? "request failed"}) — check the network or SLACK_API_URL`,
        { cause: err },
      );
    default:
      if (err === undefined) {
        return new PlatformUnreachableError(
          "the Slack Socket Mode connection closed before Slack said hello",
        );
      }
      return err instanceof Error ? err : new Error(String(err));
  }
}

function refusalAdvice(code: string, method: string, needed?: string): string {
  if (BAD_TOKEN_ERRORS.has(code)) {
    return method === "apps.connections.open"
      ? `Slack refused the app-level token (${code}) — check SLACK_APP_TOKEN (xapp-… with connections:write)`
      : `Slack refused the bot token (${code}) — check SLACK_BOT_TOKEN`;
  }
  switch (code) {
    case "channel_not_found":
      return "Slack does not know that channel (channel_not_found) — check the channel id and invite the bot";
    case "not_in_channel":
      return "the bot is not in that channel (not_in_channel) — invite it with /invite";
    case "missing_scope":
      return `the Slack app lacks a scope (missing_scope${needed ? `: ${needed}` : ""}) — add it and reinstall the app`;
    case "invalid_blocks":
    case "invalid_blocks_format":
      return `Slack refused the message layout (${code}) — this is a Vigil bug, please report it`;
    default:
      return `Slack refused ${method} (${code})`;
  }
}

/** Bolt's logger interface over Vigil's structured log; signature failures become advice. */
function boltLogger(log: SlackAdapterLog, onRequestRefused: (message: string) => void) {
  let level = LogLevel.INFO;
  const text = (msg: unknown[]) => msg.map((m) => (m instanceof Error ? m.message : String(m))).join(" ");
  return {
    debug: (...msg: unknown[]) => log.debug({ source: "bolt" }, text(msg)),
    info: (...msg: unknown[]) => log.info({ source: "bolt" }, text(msg)),
    warn: (...msg: unknown[]) => {
      const t = text(msg);
      if (t.includes("signature mismatch")) {
        const advice =
          "a Slack request was refused: the Slack signing secret does not match — check SLACK_SIGNING_SECRET";
        log.warn({ source: "bolt" }, advice);
        onRequestRefused(advice);
      } else if (t.includes("stale")) {
        log.warn(
          { source: "bolt" },
          "a Slack request was refused: its timestamp is more than 5 minutes off (replayed, or the clock is wrong)",
        );
      } else log.warn({ source: "bolt" }, t);
    },
    error: (...msg: unknown[]) => log.error({ source: "bolt" }, text(msg)),
    setLevel: (l: (typeof LogLevel)[keyof typeof LogLevel]) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

class DeadlineError extends Error {}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(`did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
