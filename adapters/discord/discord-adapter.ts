// The Discord ChatAdapter: a discord.js gateway client for inbound events, @discordjs/rest
// behind a per-channel DeliveryQueue for outbound cards, threads as sessions, /vigil, buttons.

import {
  type APIMessage,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  HTTPError,
  type Interaction,
  type Message,
  RateLimitError,
  REST,
  Routes,
} from "discord.js";
import { AdapterStatusTracker } from "../../src/core/adapter-status.ts";
import type { Card } from "../../src/core/card.ts";
import type {
  AdapterStatus,
  ChatAdapter,
  InboundAction,
  InboundEvent,
  InboundHandler,
  InboundMessage,
  MessageRef,
  ReplyTarget,
} from "../../src/core/chat-adapter.ts";
import { DeliveryQueue, RateLimitedError } from "../../src/core/delivery-queue.ts";
import { PlatformRefusedError, PlatformUnreachableError } from "../../src/core/errors.ts";
import {
  DISCORD_MESSAGE_LIMIT,
  type DiscordMessagePayload,
  renderCardText,
  renderDiscordCard,
  renderDiscordEdit,
} from "./render-discord.ts";

/** Structural logger (pino fits). */
export interface DiscordAdapterLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface DiscordAdapterOptions {
  /** The bot token (DISCORD_TOKEN). */
  token: string;
  /** REST base without the version (DISCORD_API_URL), e.g. `https://discord.com/api`. */
  apiUrl?: string;
  /** Application id for command registration; defaults to the one READY reports. */
  applicationId?: string;
  /** Register `/vigil` in this guild only (instant) instead of globally. */
  guildId?: string;
  /** Name of the slash command; `vigil` unless told. */
  commandName?: string;
  log?: DiscordAdapterLog;
  /**
   * Per-channel send rate. Discord allows about 5 messages per 5 s in a channel; a token bucket
   * sends at most burst + rate × window in any window, so the default 2 + 0.6 × 5 stays within it.
   */
  rate?: { perSecond: number; burst: number };
  /** Attempts per delivery, including the first. */
  maxAttempts?: number;
  /** Backoff between failed deliveries that are not rate limits. */
  deliveryBackoffMs?: number;
  /** First delay before logging in again after a failed start; doubles up to `retryMaxMs`. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** How long a login may take before it counts as failed. */
  connectTimeoutMs?: number;
  /** Per REST request. */
  requestTimeoutMs?: number;
  /** Characters per message (Discord: 2000). */
  messageLimit?: number;
}

/** A /vigil invocation whose deferred reply waits for the handler's first card. */
interface PendingCommand {
  readonly applicationId: string;
  readonly token: string;
  readonly replyId: string;
  readonly conversation: string;
  /** Set when the command was used inside a thread. */
  readonly thread: string | undefined;
  readonly title: string;
  readonly expiresAt: number;
}

const silentLog: DiscordAdapterLog = { info() {}, warn() {}, error() {}, debug() {} };
const DEFAULT_API = "https://discord.com/api";
// Interaction tokens live 15 min; stop using one a little before that.
const INTERACTION_TOKEN_MS = 14 * 60_000;
const THREAD_ARCHIVE_MINUTES = 1440;

/** Channel queues kept before idle ones are swept (an idle queue's bucket has refilled anyway). */
const MAX_IDLE_QUEUES = 1000;

export class DiscordAdapter implements ChatAdapter {
  readonly platform = "discord" as const;
  readonly #opts: Required<Omit<DiscordAdapterOptions, "applicationId" | "guildId" | "log" | "rate">> &
    Pick<DiscordAdapterOptions, "applicationId" | "guildId"> & { rate: { perSecond: number; burst: number } };
  readonly #log: DiscordAdapterLog;
  readonly #status = new AdapterStatusTracker("discord");
  readonly #rest: REST;
  readonly #queues = new Map<string, DeliveryQueue>();
  /** Thread channels known to exist, so a send does not try to start them again. */
  readonly #threads = new Set<string>();
  readonly #pending = new Map<string, PendingCommand>();
  #client: Client | undefined;
  #handler: InboundHandler | undefined;
  #running = false;
  #generation = 0;
  #attempt = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #lostTimer: NodeJS.Timeout | undefined;
  #commandsRegistered = false;
  #applicationId: string | undefined;

  constructor(opts: DiscordAdapterOptions) {
    this.#opts = {
      apiUrl: DEFAULT_API,
      commandName: "vigil",
      maxAttempts: 5,
      deliveryBackoffMs: 250,
      retryBaseMs: 1000,
      retryMaxMs: 60_000,
      connectTimeoutMs: 15_000,
      requestTimeoutMs: 10_000,
      messageLimit: DISCORD_MESSAGE_LIMIT,
      ...opts,
      rate: opts.rate ?? { perSecond: 0.6, burst: 2 },
    };
    this.#log = opts.log ?? silentLog;
    this.#applicationId = opts.applicationId;
    // Our own REST client for sends, so deliveries survive the gateway client being replaced.
    this.#rest = new REST(this.#restOptions()).setToken(opts.token);
  }

  async start(handler: InboundHandler): Promise<void> {
    this.#handler = handler;
    this.#running = true;
    this.#attempt = 0;
    await this.#connect();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#generation++;
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#lostTimer);
    const client = this.#client;
    this.#client = undefined;
    await client?.destroy().catch(() => undefined);
    this.#status.set("stopped");
  }

  status(): AdapterStatus {
    return this.#status.get();
  }

  async send(target: ReplyTarget, card: Card): Promise<MessageRef> {
    const parts = renderDiscordCard(card, { limit: this.#opts.messageLimit });
    const pending = target.thread ? this.#takePending(target.thread) : undefined;
    if (pending) return this.#sendAsCommandReply(pending, parts);

    const key = target.thread ?? target.conversation;
    const ready = this.#channelFor(target, card);
    // Every part is queued now, in order, so concurrent sends to one thread never interleave.
    const sends = parts.map((body) =>
      this.#deliver(key, async () => {
        const channel = await ready.catch(() => undefined);
        if (channel === undefined) return undefined; // the thread could not be opened; reported below
        return (await this.#rest.post(Routes.channelMessages(channel), { body })) as APIMessage;
      }),
    );
    const channel = await ready.catch(async (err) => {
      await Promise.allSettled(sends);
      throw err;
    });
    const sent = await Promise.all(sends);
    return this.#ref(target.conversation, channel, sent[sent.length - 1]!.id);
  }

  async update(ref: MessageRef, card: Card): Promise<void> {
    const body = renderDiscordEdit(card, { limit: this.#opts.messageLimit });
    const channel = ref.thread ?? ref.conversation;
    await this.#deliver(channel, () =>
      this.#rest.patch(Routes.channelMessage(channel, ref.messageId), { body }),
    );
  }

  // ---- connection ----

  async #connect(): Promise<void> {
    const generation = ++this.#generation;
    // While retrying after a failure, status() keeps saying "error" (with the reason) until it works.
    if (this.#status.get().state !== "error") this.#status.set("connecting");
    const client = this.#newClient(generation);
    this.#client = client;
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new LoginTimeout()), this.#opts.connectTimeoutMs);
      });
      await Promise.race([client.login(this.#opts.token), timeout]);
      if (generation !== this.#generation) return;
      this.#applicationId ??= client.application?.id;
      await this.#registerCommands();
      if (generation !== this.#generation) return;
      this.#attempt = 0;
      this.#status.set("connected");
      this.#log.info({ platform: "discord", user: client.user?.tag }, "connected to Discord");
    } catch (err) {
      if (generation !== this.#generation) return;
      await client.destroy().catch(() => undefined);
      this.#fail(err);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Records a clear error and logs in again later with backoff. */
  #fail(err: unknown): void {
    const clear = describeConnectError(err, this.#opts.apiUrl, this.#opts.connectTimeoutMs);
    this.#status.set("error", clear);
    const delay = Math.min(this.#opts.retryBaseMs * 2 ** this.#attempt, this.#opts.retryMaxMs);
    this.#attempt++;
    this.#log.error({ err, platform: "discord", retryInMs: delay }, clear.message);
    if (!this.#running) return;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => {
      if (this.#running) void this.#connect();
    }, delay);
  }

  #restOptions() {
    return {
      api: this.#opts.apiUrl,
      retries: 0,
      timeout: this.#opts.requestTimeoutMs,
      // Route 429s surface as errors so the DeliveryQueue paces the channel, not a hidden sleep.
      // The client's own global limit (50 requests/s) is left to discord.js, which waits only as
      // long as needed; as an error it stalled every 25th round trip for a whole second.
      rejectOnRateLimit: (limit: { global: boolean }) => !limit.global,
    };
  }

  #newClient(generation: number): Client {
    const client = new Client({
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
      rest: this.#restOptions(),
    });
    const current = () => this.#running && generation === this.#generation;
    client.on(Events.MessageCreate, (m) => {
      if (current()) this.#onMessage(m);
    });
    client.on(Events.InteractionCreate, (i) => {
      if (current()) void this.#onInteraction(i);
    });
    client.on(Events.ThreadCreate, (t) => {
      this.#threads.add(t.id);
    });
    client.on(Events.ShardReconnecting, () => {
      if (!current() || !client.isReady()) return;
      this.#status.set("connecting");
      this.#log.warn({ platform: "discord" }, "lost the Discord gateway, reconnecting");
      // discord.js keeps trying by itself; say so in status() if it takes long.
      clearTimeout(this.#lostTimer);
      this.#lostTimer = setTimeout(() => {
        if (current() && this.#status.get().state === "connecting") {
          this.#status.set(
            "error",
            new PlatformUnreachableError(
              `lost the Discord gateway and could not reconnect within ${Math.round(this.#opts.connectTimeoutMs / 1000)} s — still retrying; check DISCORD_API_URL and the network`,
            ),
          );
        }
      }, this.#opts.connectTimeoutMs);
    });
    const back = () => {
      if (!current() || !client.isReady()) return;
      clearTimeout(this.#lostTimer);
      if (this.#status.get().state !== "connected")
        this.#log.info({ platform: "discord" }, "Discord gateway reconnected");
      this.#status.set("connected");
    };
    client.on(Events.ShardResume, back);
    client.on(Events.ShardReady, back);
    client.on(Events.ShardDisconnect, (event) => {
      // discord.js gives up on these close codes (bad token, bad intents): start over with backoff.
      if (!current() || !client.isReady()) return;
      this.#generation++;
      void client.destroy().catch(() => undefined);
      this.#fail(new GatewayClosed(event.code));
    });
    client.on(Events.ShardError, (err) =>
      this.#log.warn({ err, platform: "discord" }, "Discord gateway error"),
    );
    client.on(Events.Error, (err) => this.#log.error({ err, platform: "discord" }, "discord.js error"));
    return client;
  }

  async #registerCommands(): Promise<void> {
    if (this.#commandsRegistered) return;
    const appId = this.#applicationId;
    if (!appId) {
      this.#log.warn(
        { platform: "discord" },
        "no application id; /vigil not registered — set the Discord application id",
      );
      return;
    }
    const route = this.#opts.guildId
      ? Routes.applicationGuildCommands(appId, this.#opts.guildId)
      : Routes.applicationCommands(appId);
    const command = {
      name: this.#opts.commandName,
      description: "Ask Vigil",
      type: 1,
      options: [{ type: 3, name: "text", description: "What to ask Vigil", required: true }],
    };
    try {
      await this.#rest.put(route, { body: [command] });
      this.#commandsRegistered = true;
    } catch (err) {
      this.#log.warn(
        { err: mapError(err, this.#opts.apiUrl), platform: "discord" },
        `could not register /${this.#opts.commandName}; will try again on the next connect`,
      );
    }
  }

  // ---- inbound ----

  #onMessage(message: Message): void {
    // Our own echoes and other bots are not requests.
    if (message.author.bot || message.webhookId || !message.inGuild()) return;
    const { conversation, thread } = locate(message.channel, message.channelId);
    if (thread) this.#threads.add(thread);
    const event: InboundMessage = {
      kind: "message",
      platform: "discord",
      conversation,
      thread,
      user: { id: message.author.id, name: message.author.globalName ?? message.author.username },
      eventId: `discord:message:${message.id}`,
      receivedAt: new Date(),
      messageId: message.id,
      text: message.content,
    };
    void this.#dispatch(event);
  }

  async #onInteraction(interaction: Interaction): Promise<void> {
    if (interaction.isButton()) await this.#onButton(interaction);
    else if (interaction.isChatInputCommand() && interaction.commandName === this.#opts.commandName) {
      await this.#onCommand(interaction);
    }
  }

  async #onButton(interaction: ButtonInteraction): Promise<void> {
    // Discord wants an answer within 3 s: acknowledge first, the work comes after.
    try {
      await interaction.deferUpdate();
    } catch (err) {
      this.#log.warn(
        { err, platform: "discord", interaction: interaction.id },
        "could not acknowledge a button click",
      );
    }
    const { conversation, thread } = locate(interaction.channel, interaction.channelId);
    const event: InboundAction = {
      kind: "action",
      platform: "discord",
      conversation,
      // A top-level message is the root of its own (possibly future) thread.
      thread: thread ?? interaction.message.id,
      user: { id: interaction.user.id, name: interaction.user.globalName ?? interaction.user.username },
      eventId: `discord:interaction:${interaction.id}`,
      receivedAt: new Date(),
      actionId: interaction.customId,
      message: { platform: "discord", conversation, thread, messageId: interaction.message.id },
    };
    await this.#dispatch(event);
  }

  /**
   * /vigil: defer at once (Discord's 3 s), then the handler's first card to this session becomes
   * the edit of the deferred reply. In a channel that reply is the session's root: its id is the
   * thread key, and a thread is opened on it for the conversation to continue.
   */
  async #onCommand(interaction: ChatInputCommandInteraction): Promise<void> {
    let replyId: string | undefined;
    try {
      const res = await interaction.deferReply({ withResponse: true });
      replyId = res.resource?.message?.id ?? res.interaction.responseMessageId ?? undefined;
    } catch (err) {
      this.#log.warn(
        { err, platform: "discord", interaction: interaction.id },
        "could not defer the /vigil reply",
      );
      return;
    }
    if (!replyId) return;
    const { conversation, thread } = locate(interaction.channel, interaction.channelId);
    const text = interaction.options.getString("text") ?? "";
    const key = thread ?? replyId;
    this.#prunePending();
    this.#pending.set(key, {
      applicationId: interaction.applicationId,
      token: interaction.token,
      replyId,
      conversation,
      thread,
      title: text,
      expiresAt: Date.now() + INTERACTION_TOKEN_MS,
    });
    const event: InboundMessage = {
      kind: "message",
      platform: "discord",
      conversation,
      thread,
      user: { id: interaction.user.id, name: interaction.user.globalName ?? interaction.user.username },
      eventId: `discord:interaction:${interaction.id}`,
      receivedAt: new Date(),
      messageId: replyId,
      text,
      command: true,
    };
    const ok = await this.#dispatch(event);
    const left = this.#takePending(key);
    if (!ok && left) {
      // Don't leave "Vigil is thinking…" forever when the handler failed.
      await this.#sendAsCommandReply(left, [
        {
          content: "Vigil could not handle this command — see the Vigil log.",
          components: [],
          allowed_mentions: { parse: [] },
        },
      ]).catch((err) => this.#log.warn({ err, platform: "discord" }, "could not report a failed command"));
    } else if (left) {
      this.#pending.set(key, left); // the handler may still answer later, within the token's life
    }
  }

  /** Runs the handler; never throws into discord.js. Resolves false when the handler failed. */
  async #dispatch(event: InboundEvent): Promise<boolean> {
    if (!this.#handler) return false;
    try {
      await this.#handler(event);
      return true;
    } catch (err) {
      this.#log.error({ err, platform: "discord", eventId: event.eventId }, "inbound handler failed");
      return false;
    }
  }

  // ---- outbound ----

  async #sendAsCommandReply(pending: PendingCommand, parts: DiscordMessagePayload[]): Promise<MessageRef> {
    const key = pending.thread ?? pending.replyId;
    const { applicationId: app, token } = pending;
    const sends = parts.map((body, i) =>
      this.#deliver(
        key,
        async () =>
          (i === 0
            ? await this.#rest.patch(Routes.webhookMessage(app, token, "@original"), { body, auth: false })
            : await this.#rest.post(Routes.webhook(app, token), { body, auth: false })) as APIMessage,
      ),
    );
    const sent = await Promise.all(sends);
    if (!pending.thread) {
      // Open the session's thread on the reply, so the user has somewhere to continue.
      await this.#deliver(key, () =>
        this.#startThread(pending.conversation, pending.replyId, pending.title),
      ).catch((err) =>
        this.#log.warn({ err, platform: "discord" }, "could not open a thread on the /vigil reply"),
      );
    }
    return this.#ref(pending.conversation, pending.thread ?? pending.conversation, sent[sent.length - 1].id);
  }

  /** The channel a target's messages go to, opening the thread first when it does not exist yet. */
  #channelFor(target: ReplyTarget, card: Card): Promise<string> {
    const { conversation, thread } = target;
    if (!thread || thread === conversation) return Promise.resolve(conversation);
    if (this.#threads.has(thread) || this.#client?.channels.cache.get(thread)?.isThread()) {
      return Promise.resolve(thread);
    }
    // The thread key is a message in the channel: a thread started from it gets its id.
    const p = this.#deliver(thread, () => this.#startThread(conversation, thread, threadName(card)));
    p.catch(() => undefined);
    return p;
  }

  async #startThread(channel: string, messageId: string, name: string): Promise<string> {
    try {
      await this.#rest.post(Routes.threads(channel, messageId), {
        body: { name: name.slice(0, 100) || "Vigil", auto_archive_duration: THREAD_ARCHIVE_MINUTES },
      });
    } catch (err) {
      // 160004: a thread already exists on this message (opened by someone else, or a retry).
      if (!(err instanceof DiscordAPIError && err.code === 160004)) throw err;
    }
    this.#threads.add(messageId);
    return messageId;
  }

  #deliver<T>(channel: string, send: () => Promise<T>): Promise<T> {
    let queue = this.#queues.get(channel);
    if (!queue) {
      // Every thread is a channel with its own queue: drop idle ones so they do not pile up.
      if (this.#queues.size >= MAX_IDLE_QUEUES) {
        for (const [id, q] of this.#queues) if (q.pending === 0) this.#queues.delete(id);
      }
      queue = new DeliveryQueue({
        ratePerSecond: this.#opts.rate.perSecond,
        burst: this.#opts.rate.burst,
        maxAttempts: this.#opts.maxAttempts,
        backoffMs: this.#opts.deliveryBackoffMs,
        isPermanent: (err) => err instanceof PlatformRefusedError,
        log: {
          warn: (o, m) => this.#log.warn({ ...o, platform: "discord", channel }, m),
          error: (o, m) => this.#log.error({ ...o, platform: "discord", channel }, m),
        },
      });
      this.#queues.set(channel, queue);
    }
    const apiUrl = this.#opts.apiUrl;
    return queue.enqueue(channel, () =>
      send().catch((err) => {
        throw mapError(err, apiUrl);
      }),
    );
  }

  #ref(conversation: string, channel: string, messageId: string): MessageRef {
    return {
      platform: "discord",
      conversation,
      thread: channel === conversation ? undefined : channel,
      messageId,
    };
  }

  #takePending(key: string): PendingCommand | undefined {
    const p = this.#pending.get(key);
    if (!p) return undefined;
    this.#pending.delete(key);
    return p.expiresAt > Date.now() ? p : undefined;
  }

  #prunePending(): void {
    const now = Date.now();
    for (const [k, p] of this.#pending) if (p.expiresAt <= now) this.#pending.delete(k);
  }
}

class LoginTimeout extends Error {
  constructor() {
    super("Discord login timed out");
    this.name = "LoginTimeout";
  }
}

class GatewayClosed extends Error {
  readonly code: number;
  constructor(code: number) {
    super(`Discord closed the gateway with code ${code}`);
    this.name = "GatewayClosed";
    this.code = code;
  }
}

/** Turns a failed login into advice: a refused token, an unreachable API, a gateway that never got ready. */
export function describeConnectError(err: unknown, apiUrl: string, timeoutMs: number): Error {
  const e = err as { code?: unknown; status?: unknown; message?: string };
  if (
    e?.code === "TokenInvalid" ||
    e?.status === 401 ||
    e?.message === "Authentication failed" ||
    (err instanceof GatewayClosed && err.code === 4004)
  ) {
    return new PlatformRefusedError("Discord refused the bot token — check DISCORD_TOKEN", {
      cause: err,
      status: 401,
    });
  }
  if (err instanceof GatewayClosed && (err.code === 4013 || err.code === 4014)) {
    return new PlatformRefusedError(
      "Discord refused the gateway intents — enable the Message Content intent for the bot in the Discord developer portal",
      { cause: err },
    );
  }
  if (err instanceof LoginTimeout) {
    return new PlatformUnreachableError(
      `the Discord gateway did not get ready within ${Math.round(timeoutMs / 1000)} s (API ${apiUrl}) — check DISCORD_API_URL and the network`,
      { cause: err },
    );
  }
  return mapError(err, apiUrl);
}

/** Maps discord.js / network failures onto Vigil's errors: 429 → RateLimitedError, 4xx → refused, else unreachable. */
export function mapError(err: unknown, apiUrl: string): Error {
  if (
    err instanceof RateLimitedError ||
    err instanceof PlatformRefusedError ||
    err instanceof PlatformUnreachableError
  ) {
    return err;
  }
  if (err instanceof RateLimitError)
    return new RateLimitedError(Math.max(50, err.retryAfter), { cause: err });
  if (err instanceof DiscordAPIError) {
    const status = err.status;
    if (status === 429) return new RateLimitedError(1000, { cause: err });
    if (status === 401) {
      return new PlatformRefusedError("Discord refused the bot token — check DISCORD_TOKEN", {
        cause: err,
        status,
      });
    }
    if (status === 403) {
      return new PlatformRefusedError(
        `Discord refused: ${err.message} (code ${err.code}) — check the bot's permissions in that channel`,
        { cause: err, status },
      );
    }
    if (status >= 400 && status < 500) {
      return new PlatformRefusedError(`Discord refused the request: ${err.message} (code ${err.code})`, {
        cause: err,
        status,
      });
    }
    return new PlatformUnreachableError(`Discord failed with HTTP ${status}: ${err.message}`, { cause: err });
  }
  if (err instanceof HTTPError) {
    return new PlatformUnreachableError(`Discord failed with HTTP ${err.status} — try again later`, {
      cause: err,
    });
  }
  const code = networkCode(err);
  return new PlatformUnreachableError(
    `cannot reach the Discord API at ${apiUrl}${code ? ` (${code})` : ""} — check DISCORD_API_URL and the network`,
    { cause: err },
  );
}

function networkCode(err: unknown): string | undefined {
  for (let e: unknown = err, i = 0; e && i < 5; e = (e as { cause?: unknown }).cause, i++) {
    const c = (e as { code?: unknown }).code;
    if (typeof c === "string") return c;
    if ((e as Error).name === "AbortError") return "timeout";
    const inner = (e as { errors?: unknown[] }).errors;
    if (Array.isArray(inner) && inner.length > 0) return networkCode(inner[0]);
  }
  return undefined;
}

/** A thread reports as its parent channel plus the thread's id; a channel as itself. */
function locate(
  channel: { isThread(): boolean; parentId?: string | null } | null,
  channelId: string,
): { conversation: string; thread: string | undefined } {
  if (channel?.isThread()) return { conversation: channel.parentId ?? channelId, thread: channelId };
  return { conversation: channelId, thread: undefined };
}

function threadName(card: Card): string {
  const first =
    card.title ??
    renderCardText({ ...card, title: undefined, fields: [], state: undefined })
      .split("\n")
      .find((l) => l.trim().length > 0);
  const plain = (first ?? "Vigil").replace(/[\\*_~`|>#]/g, "").trim();
  return plain.length > 90 ? `${plain.slice(0, 89)}…` : plain || "Vigil";
}
