// A wire-level fake of Discord on 127.0.0.1: REST under /api/v10 and the gateway websocket,
// faithful enough for discord.js to run unmodified and strict enough to fail a careless bot.

import { EventEmitter } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";

/** A user the fake acts as. Ids are Discord snowflakes (numeric strings). */
export interface FakeUser {
  readonly id: string;
  readonly name: string;
}

export interface FakeDiscordOptions {
  /** The one bot token the fake accepts. */
  token?: string;
  /** Interactions answered later than this are late (Discord: 3 s) and refused with 10062. */
  interactionDeadlineMs?: number;
  heartbeatIntervalMs?: number;
  /** Enforce Discord's per-channel send limit (about 5 messages per 5 s) with real 429s. */
  channelLimit?: { count: number; windowMs: number };
}

interface ButtonJson {
  type: number;
  style?: number;
  label?: string;
  custom_id?: string;
  url?: string;
}

interface RowJson {
  type: number;
  components: ButtonJson[];
}

/** One message as the fake stores it, with every edit kept. */
export interface FakeMessage {
  readonly id: string;
  readonly channelId: string;
  readonly author: { readonly id: string; readonly username: string; readonly bot: boolean };
  content: string;
  components: RowJson[];
  embeds: unknown[];
  flags: number;
  readonly createdAt: number;
  readonly edits: { at: number; content: string; components: RowJson[] }[];
  /** Set when the message is an interaction response or follow-up. */
  readonly interactionId?: string;
}

/** One dispatched interaction and how (and how fast) it was answered. */
export interface FakeInteraction {
  readonly id: string;
  readonly token: string;
  readonly type: 2 | 3;
  readonly channelId: string;
  readonly userId: string;
  readonly dispatchedAt: number;
  /** Set for clicks: the message the button is on. */
  readonly messageId?: string;
  answeredAt?: number;
  /** The callback type the bot answered with (4 reply, 5 deferred reply, 6 deferred update, 7 update). */
  responseType?: number;
  /** ms from dispatch to answer. */
  latencyMs?: number;
  /** Answered after the deadline (Discord shows "This interaction failed"). */
  late: boolean;
  /** The message @original refers to. */
  originalMessageId?: string;
}

interface ChannelJson {
  id: string;
  type: number;
  guild_id: string;
  name: string;
  parent_id: string | null;
  position?: number;
  permission_overwrites?: unknown[];
  thread_metadata?: Record<string, unknown>;
  owner_id?: string;
  message_count?: number;
  member_count?: number;
}

interface GatewaySession {
  readonly id: string;
  seq: number;
  intents: number;
  socket: WebSocket | undefined;
  /** Dispatches kept for RESUME, as Discord keeps them for a while. */
  readonly buffer: { s: number; t: string; d: unknown }[];
}

class HttpError extends Error {
  readonly status: number;
  readonly body: unknown;
  constructor(status: number, body: { code: number; message: string; [k: string]: unknown }) {
    super(body.message);
    this.status = status;
    this.body = body;
  }
}

const DISCORD_EPOCH = 1420070400000n;
const INTENT_MESSAGE_CONTENT = 1 << 15;
const CHANNEL_TEXT = 0;
const CHANNEL_PUBLIC_THREAD = 11;
const FLAG_LOADING = 128;

/** The fake Discord: start(), act as users, read what the bot did. */
export class FakeDiscord {
  readonly applicationId: string;
  readonly guildId: string;
  /** The default text channel. */
  readonly channelId: string;
  readonly botUser: {
    id: string;
    username: string;
    bot: true;
    discriminator: string;
    global_name: null;
    avatar: null;
  };
  /** Times when the gateway saw IDENTIFY / RESUME, to assert reconnects. */
  readonly identifies: number[] = [];
  readonly resumes: number[] = [];
  /** Every 429 the fake answered, and the requests that came back before Retry-After passed. */
  readonly rateLimited: { at: number; method: string; path: string; retryAfterMs: number }[] = [];
  readonly earlyRetries: { at: number; method: string; path: string }[] = [];
  /** Registered application commands (global and guild). */
  readonly commands: { scope: "global" | string; name: string; description: string; options: unknown[] }[] =
    [];
  /** Requests the fake refused for a bad bot token. */
  unauthorized = 0;

  readonly #opts: Required<Omit<FakeDiscordOptions, "channelLimit">> &
    Pick<FakeDiscordOptions, "channelLimit">;
  readonly #events = new EventEmitter();
  readonly #channels = new Map<string, ChannelJson>();
  readonly #messages = new Map<string, FakeMessage>();
  readonly #interactions = new Map<string, FakeInteraction>();
  readonly #sessions = new Map<string, GatewaySession>();
  readonly #sockets = new Set<WebSocket>();
  readonly #tcp = new Set<Socket>();
  readonly #blockedUntil = new Map<string, number>();
  readonly #sent = new Map<string, number[]>();
  #token: string;
  #server: Server | undefined;
  #wss: WebSocketServer | undefined;
  #port = 0;
  #snowflakeSeq = 0;
  #rateLimitNext = 0;
  #rateLimitSeconds = 1;
  #rateLimitMatch: (method: string, path: string) => boolean = defaultRateLimitMatch;

  constructor(opts: FakeDiscordOptions = {}) {
    this.#opts = {
      token: "fake-discord-bot-token",
      interactionDeadlineMs: 3000,
      heartbeatIntervalMs: 41250,
      ...opts,
    };
    this.#events.setMaxListeners(100);
    this.#token = this.#opts.token;
    this.applicationId = this.#snowflake();
    this.guildId = this.#snowflake();
    this.botUser = {
      id: this.applicationId,
      username: "Vigil",
      bot: true,
      discriminator: "0",
      global_name: null,
      avatar: null,
    };
    this.channelId = this.addChannel("ops");
  }

  /** The bot token the fake currently accepts. */
  get token(): string {
    return this.#token;
  }

  /** Resets the bot token, as a developer-portal reset does: the old one is refused from now on. */
  resetToken(newToken: string): void {
    this.#token = newToken;
    this.dropConnections();
  }

  /** Base for discord.js `rest.api` (discord.js appends `/v10`). */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.#port}/api`;
  }

  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.#port}`;
  }

  get port(): number {
    return this.#port;
  }

  async start(): Promise<void> {
    this.#wss = new WebSocketServer({ noServer: true });
    this.#wss.on("connection", (ws) => this.#onSocket(ws));
    await this.#listen(0);
  }

  async close(): Promise<void> {
    await this.goAway();
    this.#wss?.close();
    this.#events.removeAllListeners();
  }

  /** Drops every gateway socket and stops listening: connections are refused until comeBack(). */
  async goAway(): Promise<void> {
    this.dropConnections();
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    for (const s of this.#tcp) s.destroy();
    this.#tcp.clear();
    await closed;
  }

  /** Drops every gateway socket (as a network blip would) but keeps listening: clients resume. */
  dropConnections(): void {
    for (const ws of this.#sockets) ws.terminate();
    this.#sockets.clear();
    for (const s of this.#sessions.values()) s.socket = undefined;
  }

  /** Listens again on the same port after goAway(). */
  async comeBack(): Promise<void> {
    if (this.#server) return;
    await this.#listen(this.#port);
  }

  /** Goes away for `ms`, then comes back; resolves once it is back. */
  async outage(ms: number): Promise<void> {
    await this.goAway();
    await new Promise((resolve) => setTimeout(resolve, ms));
    await this.comeBack();
  }

  /** Answers the next `n` matching REST calls (default: bot sends and edits in channels) with 429 + Retry-After. */
  rateLimitNext(n: number, retryAfterSeconds = 1, match?: (method: string, path: string) => boolean): void {
    this.#rateLimitNext = n;
    this.#rateLimitSeconds = retryAfterSeconds;
    this.#rateLimitMatch = match ?? defaultRateLimitMatch;
  }

  /** Adds a text channel to the guild (announced with CHANNEL_CREATE when the bot is connected). */
  addChannel(name: string): string {
    const id = this.#snowflake();
    const channel: ChannelJson = {
      id,
      type: CHANNEL_TEXT,
      guild_id: this.guildId,
      name,
      parent_id: null,
      position: this.#channels.size,
      permission_overwrites: [],
    };
    this.#channels.set(id, channel);
    this.#dispatch("CHANNEL_CREATE", channel);
    return id;
  }

  /** A channel (or thread) as the fake knows it. */
  channel(id: string): ChannelJson | undefined {
    return this.#channels.get(id);
  }

  /** Posts a message as `user` in a channel or thread; resolves once MESSAGE_CREATE went out. */
  async userMessage(opts: {
    channel: string;
    user: FakeUser;
    content: string;
    duplicate?: boolean;
  }): Promise<FakeMessage> {
    const channel = this.#channels.get(opts.channel);
    if (!channel) throw new Error(`fake discord: no channel ${opts.channel}`);
    const msg = this.#store({
      channelId: channel.id,
      author: { id: opts.user.id, username: opts.user.name, bot: false },
      content: opts.content,
      components: [],
    });
    const payload = { ...this.#messageJson(msg), member: this.#memberJson(opts.user) };
    await this.#dispatchFlushed("MESSAGE_CREATE", payload);
    if (opts.duplicate) await this.#dispatchFlushed("MESSAGE_CREATE", payload);
    return msg;
  }

  /** Clicks a button on a message as `user`; resolves once INTERACTION_CREATE went out. */
  async click(opts: { messageId: string; customId: string; user: FakeUser }): Promise<FakeInteraction> {
    const msg = this.#messages.get(opts.messageId);
    if (!msg) throw new Error(`fake discord: no message ${opts.messageId}`);
    const button = msg.components.flatMap((r) => r.components).find((c) => c.custom_id === opts.customId);
    if (!button) throw new Error(`fake discord: message ${opts.messageId} has no button ${opts.customId}`);
    return this.#interact({
      type: 3,
      channelId: msg.channelId,
      user: opts.user,
      messageId: msg.id,
      data: { custom_id: opts.customId, component_type: 2 },
      message: this.#messageJson(msg),
    });
  }

  /** Runs a registered slash command as `user`; resolves once INTERACTION_CREATE went out. */
  async slashCommand(opts: {
    channel: string;
    user: FakeUser;
    name: string;
    options?: Record<string, string>;
  }): Promise<FakeInteraction> {
    const command = this.commands.find((c) => c.name === opts.name);
    // Discord only offers commands the application registered.
    if (!command) throw new Error(`fake discord: command /${opts.name} is not registered`);
    if (!this.#channels.has(opts.channel)) throw new Error(`fake discord: no channel ${opts.channel}`);
    return this.#interact({
      type: 2,
      channelId: opts.channel,
      user: opts.user,
      data: {
        id: this.#snowflake(),
        name: opts.name,
        type: 1,
        options: Object.entries(opts.options ?? {}).map(([name, value]) => ({ name, type: 3, value })),
        ...(command.scope === "global" ? {} : { guild_id: this.guildId }),
      },
    });
  }

  /** Every message the bot (or its interaction webhooks) posted, oldest first, edits applied. */
  botMessages(): FakeMessage[] {
    return [...this.#messages.values()].filter((m) => m.author.id === this.botUser.id);
  }

  messages(channelId?: string): FakeMessage[] {
    return [...this.#messages.values()].filter((m) => channelId === undefined || m.channelId === channelId);
  }

  message(id: string): FakeMessage | undefined {
    return this.#messages.get(id);
  }

  interactions(): FakeInteraction[] {
    return [...this.#interactions.values()];
  }

  /** Interactions answered after the deadline. */
  lateInteractions(): FakeInteraction[] {
    return this.interactions().filter((i) => i.late);
  }

  /** Resolves with the interaction once the bot answered it (late or not), or rejects after `timeoutMs`. */
  waitForAnswer(interactionId: string, timeoutMs = 5000): Promise<FakeInteraction> {
    return this.#waitFor(
      "answer",
      () => {
        const i = this.#interactions.get(interactionId);
        return i?.answeredAt !== undefined ? i : undefined;
      },
      timeoutMs,
      `an answer to interaction ${interactionId}`,
    );
  }

  /** Resolves with the first bot message (created or edited) that satisfies `match`. */
  waitForBotMessage(match: (m: FakeMessage) => boolean, timeoutMs = 5000): Promise<FakeMessage> {
    return this.#waitFor("message", () => this.botMessages().find(match), timeoutMs, "a bot message");
  }

  /**
   * Measures one round trip: posts `content` as `user` in `channel` and resolves once the bot's
   * first reply lands in that channel or in the thread started from the user's message.
   */
  async roundTrip(opts: {
    channel: string;
    user: FakeUser;
    content: string;
    timeoutMs?: number;
  }): Promise<{ ms: number; reply: FakeMessage }> {
    const started = performance.now();
    const since = Date.now();
    let userMessageId = "";
    const replied = this.#waitFor(
      "message",
      () =>
        this.botMessages().find(
          (m) =>
            userMessageId !== "" &&
            m.createdAt >= since &&
            (m.channelId === userMessageId || (m.channelId === opts.channel && m.id !== userMessageId)),
        ),
      opts.timeoutMs ?? 5000,
      "the bot's reply",
    );
    const sent = await this.userMessage(opts);
    userMessageId = sent.id;
    this.#events.emit("message");
    const reply = await replied;
    return { ms: performance.now() - started, reply };
  }

  // ---- internals: users' side ----

  async #interact(opts: {
    type: 2 | 3;
    channelId: string;
    user: FakeUser;
    messageId?: string;
    data: Record<string, unknown>;
    message?: unknown;
  }): Promise<FakeInteraction> {
    const id = this.#snowflake();
    const token = `itoken.${id}.${Math.random().toString(36).slice(2)}`;
    const record: FakeInteraction = {
      id,
      token,
      type: opts.type,
      channelId: opts.channelId,
      userId: opts.user.id,
      messageId: opts.messageId,
      dispatchedAt: Date.now(),
      late: false,
      originalMessageId: opts.type === 3 ? opts.messageId : undefined,
    };
    this.#interactions.set(id, record);
    const channel = this.#channels.get(opts.channelId)!;
    await this.#dispatchFlushed("INTERACTION_CREATE", {
      id,
      application_id: this.applicationId,
      type: opts.type,
      data: opts.data,
      guild_id: this.guildId,
      guild: { id: this.guildId, locale: "en-US", features: [] },
      channel_id: channel.id,
      channel,
      member: { ...this.#memberJson(opts.user), permissions: "2248473465835073" },
      token,
      version: 1,
      ...(opts.message ? { message: opts.message } : {}),
      app_permissions: "2248473465835073",
      locale: "en-US",
      guild_locale: "en-US",
      entitlements: [],
      authorizing_integration_owners: { "0": this.guildId },
      context: 0,
      attachment_size_limit: 10485760,
    });
    return record;
  }

  #memberJson(user: FakeUser) {
    return {
      user: userJson(user),
      roles: [],
      joined_at: new Date(0).toISOString(),
      deaf: false,
      mute: false,
      flags: 0,
      pending: false,
    };
  }

  // ---- internals: HTTP ----

  async #listen(port: number): Promise<void> {
    const server = createServer((req, res) => void this.#onRequest(req, res));
    server.on("connection", (s) => {
      this.#tcp.add(s);
      s.on("close", () => this.#tcp.delete(s));
    });
    server.on("upgrade", (req, socket, head) => {
      this.#wss!.handleUpgrade(req, socket, head, (ws) => this.#wss!.emit("connection", ws, req));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    this.#server = server;
    this.#port = (server.address() as AddressInfo).port;
  }

  async #onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = req.method ?? "GET";
    try {
      const raw = await readBody(req);
      const body = raw.length > 0 ? JSON.parse(raw) : undefined;
      if (!url.pathname.startsWith("/api/v10/"))
        throw new HttpError(404, { code: 0, message: "404: Not Found" });
      const path = url.pathname.slice("/api/v10".length);
      const interactionRoute = path.startsWith("/interactions/") || path.startsWith("/webhooks/");
      if (!interactionRoute && req.headers.authorization !== `Bot ${this.token}`) {
        this.unauthorized++;
        throw new HttpError(401, { code: 0, message: "401: Unauthorized" });
      }
      this.#checkRateLimit(method, path);
      const result = this.#route(method, path, body, url.searchParams);
      if (result === undefined) {
        res.writeHead(204).end();
        return;
      }
      sendJson(res, result.status ?? 200, result.body);
    } catch (err) {
      if (err instanceof HttpError) {
        const headers: Record<string, string> = {};
        if (err.status === 429) {
          const retryAfter = (err.body as { retry_after: number }).retry_after;
          headers["Retry-After"] = String(retryAfter);
          headers["X-RateLimit-Scope"] = "user";
        }
        sendJson(res, err.status, err.body, headers);
      } else {
        sendJson(res, 500, { code: 0, message: `fake discord: ${(err as Error).message}` });
      }
    }
  }

  #checkRateLimit(method: string, path: string): void {
    const bucket = rateLimitBucket(method, path);
    const now = Date.now();
    const blocked = bucket ? this.#blockedUntil.get(bucket) : undefined;
    if (bucket && blocked !== undefined && now < blocked) {
      // Coming back before Retry-After passed is what gets bots banned on real Discord.
      this.earlyRetries.push({ at: now, method, path });
      this.#refuse429(method, path, blocked - now);
    }
    if (this.#rateLimitNext > 0 && this.#rateLimitMatch(method, path)) {
      this.#rateLimitNext--;
      const ms = this.#rateLimitSeconds * 1000;
      if (bucket) this.#blockedUntil.set(bucket, now + ms);
      this.#refuse429(method, path, ms);
    }
    const limit = this.#opts.channelLimit;
    if (limit && method === "POST" && bucket) {
      const sent = (this.#sent.get(bucket) ?? []).filter((t) => t > now - limit.windowMs);
      if (sent.length >= limit.count) {
        const ms = sent[0] + limit.windowMs - now;
        this.#blockedUntil.set(bucket, now + ms);
        this.#refuse429(method, path, ms);
      }
      sent.push(now);
      this.#sent.set(bucket, sent);
    }
  }

  #refuse429(method: string, path: string, ms: number): never {
    this.rateLimited.push({ at: Date.now(), method, path, retryAfterMs: ms });
    const retryAfter = Math.max(0.001, Math.ceil(ms) / 1000);
    throw new HttpError(429, {
      code: 0,
      message: "You are being rate limited.",
      retry_after: retryAfter,
      global: false,
    });
  }

  #route(
    method: string,
    path: string,
    body: unknown,
    query: URLSearchParams,
  ): { status?: number; body: unknown } | undefined {
    const seg = path.split("/").filter(Boolean).map(decodeURIComponent);
    const b = (body ?? {}) as Record<string, unknown>;
    const route = `${method} /${seg.map((s, i) => (i % 2 === 1 && /^\d+$/.test(s) ? ":id" : s)).join("/")}`;

    if (method === "GET" && path === "/gateway/bot") {
      return {
        body: {
          url: this.gatewayUrl,
          shards: 1,
          session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
        },
      };
    }
    if (method === "GET" && path === "/gateway") return { body: { url: this.gatewayUrl } };
    if (method === "GET" && path === "/users/@me") return { body: this.botUser };
    if (method === "GET" && path === "/applications/@me") {
      return { body: { id: this.applicationId, name: "Vigil", bot: this.botUser, flags: 0 } };
    }

    // Application commands: PUT replaces all, POST adds one.
    if (seg[0] === "applications" && seg[2] === "commands" && seg.length === 3) {
      if (seg[1] !== this.applicationId) throw unknown(10002, "Unknown Application");
      return this.#putCommands(method, "global", body);
    }
    if (seg[0] === "applications" && seg[2] === "guilds" && seg[4] === "commands" && seg.length === 5) {
      if (seg[1] !== this.applicationId) throw unknown(10002, "Unknown Application");
      if (seg[3] !== this.guildId) throw unknown(10004, "Unknown Guild");
      return this.#putCommands(method, seg[3], body);
    }

    if (seg[0] === "channels" && seg[1]) {
      const channel = this.#channels.get(seg[1]);
      if (!channel) throw unknown(10003, "Unknown Channel");
      if (seg.length === 2 && method === "GET") return { body: channel };
      if (seg[2] === "messages" && seg.length === 3 && method === "POST") {
        validateMessage(b, true);
        const msg = this.#store({
          channelId: channel.id,
          author: { id: this.botUser.id, username: this.botUser.username, bot: true },
          content: String(b.content ?? ""),
          components: (b.components as RowJson[]) ?? [],
          embeds: (b.embeds as unknown[]) ?? [],
        });
        this.#dispatch("MESSAGE_CREATE", this.#messageJson(msg));
        return { body: this.#messageJson(msg) };
      }
      if (seg[2] === "messages" && seg[3] && seg.length === 4) {
        const msg = this.#messages.get(seg[3]);
        if (!msg || msg.channelId !== channel.id) throw unknown(10008, "Unknown Message");
        if (method === "GET") return { body: this.#messageJson(msg) };
        if (method === "PATCH") {
          if (msg.author.id !== this.botUser.id) {
            throw new HttpError(403, {
              code: 50005,
              message: "Cannot edit a message authored by another user",
            });
          }
          return { body: this.#edit(msg, b) };
        }
      }
      if (seg[2] === "messages" && seg[3] && seg[4] === "threads" && seg.length === 5 && method === "POST") {
        return { status: 201, body: this.#startThread(channel, seg[3], b) };
      }
    }

    if (seg[0] === "interactions" && seg[3] === "callback" && method === "POST") {
      return this.#answer(seg[1], seg[2], b, query.get("with_response") === "true");
    }

    if (seg[0] === "webhooks" && seg[1] && seg[2]) {
      if (seg[1] !== this.applicationId) throw unknown(10015, "Unknown Webhook");
      const interaction = [...this.#interactions.values()].find((i) => i.token === seg[2]);
      if (!interaction || interaction.answeredAt === undefined || interaction.late) {
        throw unknown(10015, "Unknown Webhook");
      }
      if (seg.length === 3 && method === "POST") {
        validateMessage(b, true);
        const msg = this.#store({
          channelId: interaction.channelId,
          author: { id: this.botUser.id, username: this.botUser.username, bot: true },
          content: String(b.content ?? ""),
          components: (b.components as RowJson[]) ?? [],
          embeds: (b.embeds as unknown[]) ?? [],
          interactionId: interaction.id,
        });
        this.#dispatch("MESSAGE_CREATE", this.#messageJson(msg));
        return { body: this.#messageJson(msg) };
      }
      if (seg[3] === "messages" && seg[4]) {
        const id = seg[4] === "@original" ? interaction.originalMessageId : seg[4];
        const msg = id ? this.#messages.get(id) : undefined;
        if (!msg) throw unknown(10008, "Unknown Message");
        if (method === "GET") return { body: this.#messageJson(msg) };
        if (method === "PATCH") return { body: this.#edit(msg, b) };
        if (method === "DELETE") {
          this.#messages.delete(msg.id);
          this.#dispatch("MESSAGE_DELETE", { id: msg.id, channel_id: msg.channelId, guild_id: this.guildId });
          return undefined;
        }
      }
    }
    throw new HttpError(404, { code: 0, message: `404: Not Found (${route})` });
  }

  #putCommands(method: string, scope: string, body: unknown): { body: unknown } {
    const list =
      method === "PUT" ? (body as Record<string, unknown>[]) : method === "POST" ? [body] : undefined;
    if (!list) {
      return { body: this.commands.filter((c) => c.scope === scope).map((c) => this.#commandJson(c)) };
    }
    for (const c of list as Record<string, unknown>[]) {
      const name = String(c.name ?? "");
      const description = String(c.description ?? "");
      if (!/^[-_\p{Ll}\p{N}]{1,32}$/u.test(name) || description.length < 1 || description.length > 100) {
        throw invalidForm("name or description", "APPLICATION_COMMAND_INVALID");
      }
    }
    if (method === "PUT") {
      for (let i = this.commands.length - 1; i >= 0; i--)
        if (this.commands[i].scope === scope) this.commands.splice(i, 1);
    }
    const added = (list as Record<string, unknown>[]).map((c) => ({
      scope,
      name: String(c.name),
      description: String(c.description),
      options: (c.options as unknown[]) ?? [],
    }));
    this.commands.push(...added);
    const json = added.map((c) => this.#commandJson(c));
    return { body: method === "POST" ? json[0] : json };
  }

  #commandJson(c: { scope: string; name: string; description: string; options: unknown[] }) {
    return {
      id: this.#snowflake(),
      application_id: this.applicationId,
      ...(c.scope === "global" ? {} : { guild_id: c.scope }),
      name: c.name,
      description: c.description,
      options: c.options,
      type: 1,
      version: this.#snowflake(),
      default_member_permissions: null,
    };
  }

  #startThread(channel: ChannelJson, messageId: string, b: Record<string, unknown>): ChannelJson {
    if (channel.type !== CHANNEL_TEXT)
      throw new HttpError(400, { code: 50024, message: "Cannot execute action on this channel type" });
    const msg = this.#messages.get(messageId);
    if (!msg || msg.channelId !== channel.id) throw unknown(10008, "Unknown Message");
    if (this.#channels.has(messageId)) {
      throw new HttpError(400, {
        code: 160004,
        message: "A thread has already been created for this message",
      });
    }
    const name = String(b.name ?? "");
    if (name.length < 1 || name.length > 100) throw invalidForm("name", "BASE_TYPE_BAD_LENGTH");
    // A thread started from a message has the message's id, as on Discord.
    const thread: ChannelJson = {
      id: messageId,
      type: CHANNEL_PUBLIC_THREAD,
      guild_id: this.guildId,
      parent_id: channel.id,
      name,
      owner_id: this.botUser.id,
      message_count: 0,
      member_count: 1,
      thread_metadata: {
        archived: false,
        auto_archive_duration: Number(b.auto_archive_duration ?? 1440),
        archive_timestamp: new Date().toISOString(),
        locked: false,
        create_timestamp: new Date().toISOString(),
      },
    };
    this.#channels.set(thread.id, thread);
    this.#dispatch("THREAD_CREATE", { ...thread, newly_created: true });
    return thread;
  }

  #answer(
    id: string,
    token: string,
    b: Record<string, unknown>,
    withResponse: boolean,
  ): { body: unknown } | undefined {
    const interaction = this.#interactions.get(id);
    if (!interaction || interaction.token !== token) throw unknown(10062, "Unknown interaction");
    if (interaction.answeredAt !== undefined) {
      throw new HttpError(400, { code: 40060, message: "Interaction has already been acknowledged." });
    }
    const now = Date.now();
    interaction.answeredAt = now;
    interaction.latencyMs = now - interaction.dispatchedAt;
    interaction.responseType = Number(b.type);
    this.#events.emit("answer");
    if (interaction.latencyMs > this.#opts.interactionDeadlineMs) {
      // Discord forgets an unanswered interaction after 3 s; the user saw "This interaction failed".
      interaction.late = true;
      throw unknown(10062, "Unknown interaction");
    }
    const data = (b.data ?? {}) as Record<string, unknown>;
    let message: FakeMessage | undefined;
    switch (interaction.responseType) {
      case 4:
      case 5: {
        if (interaction.responseType === 4) validateMessage(data, true);
        message = this.#store({
          channelId: interaction.channelId,
          author: { id: this.botUser.id, username: this.botUser.username, bot: true },
          content: interaction.responseType === 4 ? String(data.content ?? "") : "",
          components: interaction.responseType === 4 ? ((data.components as RowJson[]) ?? []) : [],
          flags: interaction.responseType === 5 ? FLAG_LOADING : 0,
          interactionId: interaction.id,
        });
        interaction.originalMessageId = message.id;
        this.#dispatch("MESSAGE_CREATE", this.#messageJson(message));
        break;
      }
      case 6:
        if (interaction.type !== 3) throw invalidForm("type", "INTERACTION_RESPONSE_TYPE_INVALID");
        break;
      case 7: {
        if (interaction.type !== 3) throw invalidForm("type", "INTERACTION_RESPONSE_TYPE_INVALID");
        message = this.#messages.get(interaction.messageId!)!;
        this.#edit(message, data);
        break;
      }
      default:
        throw invalidForm("type", "INTERACTION_RESPONSE_TYPE_INVALID");
    }
    if (!withResponse) return undefined;
    return {
      body: {
        interaction: {
          id: interaction.id,
          type: interaction.type,
          activity_instance_id: null,
          response_message_id: message?.id ?? null,
          response_message_loading: interaction.responseType === 5,
          response_message_ephemeral: false,
        },
        resource: {
          type: interaction.responseType,
          ...(message ? { message: this.#messageJson(message) } : {}),
        },
      },
    };
  }

  #edit(msg: FakeMessage, b: Record<string, unknown>): unknown {
    validateMessage(b, false);
    if (b.content !== undefined) msg.content = String(b.content ?? "");
    if (b.components !== undefined) msg.components = (b.components as RowJson[]) ?? [];
    if (b.embeds !== undefined) msg.embeds = (b.embeds as unknown[]) ?? [];
    msg.flags &= ~FLAG_LOADING;
    msg.edits.push({ at: Date.now(), content: msg.content, components: msg.components });
    const json = this.#messageJson(msg);
    this.#dispatch("MESSAGE_UPDATE", json);
    this.#events.emit("message");
    return json;
  }

  #store(m: {
    channelId: string;
    author: FakeMessage["author"];
    content: string;
    components: RowJson[];
    embeds?: unknown[];
    flags?: number;
    interactionId?: string;
  }): FakeMessage {
    const msg: FakeMessage = {
      id: this.#snowflake(),
      channelId: m.channelId,
      author: m.author,
      content: m.content,
      components: m.components,
      embeds: m.embeds ?? [],
      flags: m.flags ?? 0,
      createdAt: Date.now(),
      edits: [],
      interactionId: m.interactionId,
    };
    this.#messages.set(msg.id, msg);
    const channel = this.#channels.get(m.channelId);
    if (channel?.message_count !== undefined) channel.message_count++;
    this.#events.emit("message");
    return msg;
  }

  #messageJson(msg: FakeMessage) {
    const bot = msg.author.id === this.botUser.id;
    return {
      id: msg.id,
      channel_id: msg.channelId,
      guild_id: this.guildId,
      author: bot ? this.botUser : userJson({ id: msg.author.id, name: msg.author.username }),
      content: msg.content,
      timestamp: new Date(msg.createdAt).toISOString(),
      edited_timestamp:
        msg.edits.length > 0 ? new Date(msg.edits[msg.edits.length - 1].at).toISOString() : null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      embeds: msg.embeds,
      components: msg.components,
      pinned: false,
      type: msg.interactionId ? 20 : 0,
      flags: msg.flags,
      ...(msg.interactionId ? { webhook_id: this.applicationId, application_id: this.applicationId } : {}),
    };
  }

  // ---- internals: gateway ----

  #onSocket(ws: WebSocket): void {
    this.#sockets.add(ws);
    let session: GatewaySession | undefined;
    ws.on("close", () => {
      this.#sockets.delete(ws);
      if (session?.socket === ws) session.socket = undefined;
    });
    ws.on("error", () => undefined);
    ws.on("message", (raw, isBinary) => {
      if (isBinary) {
        ws.close(4002, "Error while decoding payload.");
        return;
      }
      let frame: { op: number; d: Record<string, unknown> | null };
      try {
        frame = JSON.parse(raw.toString());
      } catch {
        ws.close(4002, "Error while decoding payload.");
        return;
      }
      switch (frame.op) {
        case 1:
          ws.send(JSON.stringify({ op: 11, d: null }));
          break;
        case 2: {
          this.identifies.push(Date.now());
          const d = frame.d ?? {};
          if (d.token !== this.token) {
            ws.close(4004, "Authentication failed.");
            return;
          }
          session = {
            id: Math.random().toString(36).slice(2),
            seq: 0,
            intents: Number(d.intents ?? 0),
            socket: ws,
            buffer: [],
          };
          this.#sessions.set(session.id, session);
          this.#send(session, "READY", {
            v: 10,
            user: { ...this.botUser, verified: true, flags: 0, mfa_enabled: false },
            guilds: [{ id: this.guildId, unavailable: true }],
            session_id: session.id,
            resume_gateway_url: this.gatewayUrl,
            shard: [0, 1],
            application: { id: this.applicationId, flags: 0 },
            private_channels: [],
          });
          this.#send(session, "GUILD_CREATE", this.#guildJson());
          break;
        }
        case 6: {
          this.resumes.push(Date.now());
          const d = frame.d ?? {};
          const known = this.#sessions.get(String(d.session_id));
          if (d.token !== this.token) {
            ws.close(4004, "Authentication failed.");
            return;
          }
          if (!known) {
            ws.send(JSON.stringify({ op: 9, d: false }));
            return;
          }
          session = known;
          session.socket = ws;
          const from = Number(d.seq ?? 0);
          for (const f of session.buffer) if (f.s > from) ws.send(JSON.stringify({ op: 0, ...f }));
          this.#send(session, "RESUMED", {});
          break;
        }
        default:
          break;
      }
    });
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: this.#opts.heartbeatIntervalMs } }));
  }

  #guildJson() {
    const channels = [...this.#channels.values()];
    return {
      id: this.guildId,
      name: "Vigil Test Guild",
      icon: null,
      owner_id: "1",
      unavailable: false,
      large: false,
      member_count: 2,
      joined_at: new Date(0).toISOString(),
      features: [],
      preferred_locale: "en-US",
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      mfa_level: 0,
      nsfw_level: 0,
      premium_tier: 0,
      system_channel_flags: 0,
      afk_timeout: 300,
      roles: [
        {
          id: this.guildId,
          name: "@everyone",
          permissions: "2248473465835073",
          position: 0,
          color: 0,
          hoist: false,
          managed: false,
          mentionable: false,
          flags: 0,
        },
      ],
      channels: channels.filter((c) => c.type !== CHANNEL_PUBLIC_THREAD),
      threads: channels.filter((c) => c.type === CHANNEL_PUBLIC_THREAD),
      members: [this.#memberJson({ id: this.botUser.id, name: this.botUser.username })],
      emojis: [],
      stickers: [],
      presences: [],
      voice_states: [],
      stage_instances: [],
      guild_scheduled_events: [],
    };
  }

  /** Sends a dispatch to every identified session (buffered for RESUME while one is away). */
  #dispatch(t: string, d: unknown): void {
    for (const session of this.#sessions.values()) {
      let payload = d;
      // Without the MessageContent intent Discord blanks other users' message content.
      if (
        (t === "MESSAGE_CREATE" || t === "MESSAGE_UPDATE") &&
        (session.intents & INTENT_MESSAGE_CONTENT) === 0
      ) {
        const m = d as { author?: { id: string } };
        if (m.author?.id !== this.botUser.id) payload = { ...(d as object), content: "" };
      }
      this.#send(session, t, payload);
    }
  }

  /** Dispatches and resolves once the frames were written to the sockets. */
  async #dispatchFlushed(t: string, d: unknown): Promise<void> {
    this.#dispatch(t, d);
    await Promise.all(
      [...this.#sessions.values()]
        .map((s) => s.socket)
        .filter((ws): ws is WebSocket => ws !== undefined && ws.readyState === ws.OPEN)
        .map((ws) => new Promise<void>((resolve) => ws.ping(undefined, undefined, () => resolve()))),
    );
  }

  #send(session: GatewaySession, t: string, d: unknown): void {
    const frame = { s: ++session.seq, t, d };
    session.buffer.push(frame);
    if (session.buffer.length > 1000) session.buffer.shift();
    if (session.socket && session.socket.readyState === session.socket.OPEN) {
      session.socket.send(JSON.stringify({ op: 0, ...frame }));
    }
  }

  #waitFor<T>(event: string, probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const now = probe();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise<T>((resolve, reject) => {
      const onEvent = () => {
        const v = probe();
        if (v === undefined) return;
        clearTimeout(timer);
        this.#events.off(event, onEvent);
        resolve(v);
      };
      const timer = setTimeout(() => {
        this.#events.off(event, onEvent);
        reject(new Error(`fake discord: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.#events.on(event, onEvent);
    });
  }

  #snowflake(): string {
    const seq = BigInt(this.#snowflakeSeq++ & 0xfff);
    return String(((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | seq);
  }
}

function defaultRateLimitMatch(method: string, path: string): boolean {
  return (method === "POST" || method === "PATCH") && /^\/channels\/\d+\/messages/.test(path);
}

/** Discord's rate limits are per route and major parameter; a channel's messages share one bucket. */
function rateLimitBucket(method: string, path: string): string | undefined {
  const m = /^\/channels\/(\d+)\/messages/.exec(path);
  return m && method !== "GET" ? `channel:${m[1]}` : undefined;
}

function userJson(user: FakeUser) {
  return {
    id: user.id,
    username: user.name,
    global_name: user.name,
    discriminator: "0",
    avatar: null,
    bot: false,
  };
}

function unknown(code: number, message: string): HttpError {
  return new HttpError(404, { code, message });
}

function invalidForm(field: string, code: string): HttpError {
  return new HttpError(400, {
    code: 50035,
    message: "Invalid Form Body",
    errors: { [field]: { _errors: [{ code, message: `invalid ${field}` }] } },
  });
}

/** Checks a message body against Discord's limits: 2000 chars, 5×5 buttons, custom_id ≤ 100, unique ids. */
function validateMessage(b: Record<string, unknown>, create: boolean): void {
  const content = b.content;
  if (content !== undefined && content !== null && typeof content !== "string")
    throw invalidForm("content", "BASE_TYPE_STRING");
  if (typeof content === "string" && content.length > 2000)
    throw invalidForm("content", "BASE_TYPE_MAX_LENGTH");
  const rows = b.components as RowJson[] | undefined | null;
  if (rows) {
    if (!Array.isArray(rows) || rows.length > 5) throw invalidForm("components", "BASE_TYPE_MAX_LENGTH");
    const ids = new Set<string>();
    for (const row of rows) {
      if (
        row.type !== 1 ||
        !Array.isArray(row.components) ||
        row.components.length < 1 ||
        row.components.length > 5
      ) {
        throw invalidForm("components", "COMPONENT_LAYOUT_WIDTH_EXCEEDED");
      }
      for (const c of row.components) {
        if (c.type !== 2) throw invalidForm("components", "COMPONENT_TYPE_INVALID");
        if (c.style === 5) {
          if (!c.url) throw invalidForm("url", "BASE_TYPE_REQUIRED");
          continue;
        }
        if (typeof c.custom_id !== "string" || c.custom_id.length < 1 || c.custom_id.length > 100) {
          throw invalidForm("custom_id", "BASE_TYPE_BAD_LENGTH");
        }
        if (ids.has(c.custom_id)) throw invalidForm("custom_id", "COMPONENT_CUSTOM_ID_DUPLICATED");
        ids.add(c.custom_id);
        if (typeof c.label === "string" && c.label.length > 80)
          throw invalidForm("label", "BASE_TYPE_MAX_LENGTH");
        if (![1, 2, 3, 4].includes(c.style ?? 0)) throw invalidForm("style", "BASE_TYPE_CHOICES");
      }
    }
  }
  if (create) {
    const empty =
      !(typeof content === "string" && content.length > 0) &&
      !(rows && rows.length > 0) &&
      !(Array.isArray(b.embeds) && b.embeds.length > 0);
    if (empty) throw new HttpError(400, { code: 50006, message: "Cannot send an empty message" });
  }
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "Content-Type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
