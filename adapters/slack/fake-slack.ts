// A wire-level fake of Slack on 127.0.0.1 for tests: the Web API under /api/, a Socket
// Mode websocket, signed HTTP-mode deliveries, 429 injection and outages, and a record of every bot message.

import { createHmac, randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";

export interface FakeSlackOptions {
  /** Bot token the Web API accepts (xoxb-…). */
  botToken?: string;
  /** App-level token accepted by apps.connections.open (xapp-…). */
  appToken?: string;
  /** Secret used to sign HTTP-mode deliveries. */
  signingSecret?: string;
  botUserId?: string;
  botId?: string;
  teamId?: string;
  /** Where deliveries go: the Socket Mode connection (default) or a request URL (HTTP mode). */
  requestUrl?: string;
  /** How long a delivery waits for a connected socket or an ack. */
  deliveryTimeoutMs?: number;
}

/** A message as the fake stores it, with edits applied. */
export interface FakeMessage {
  readonly channel: string;
  readonly ts: string;
  /** Parent ts when the message is a thread reply. */
  readonly thread_ts?: string;
  readonly user?: string;
  readonly bot_id?: string;
  text: string;
  blocks?: Record<string, unknown>[];
  /** How many times chat.update changed it. */
  edits: number;
}

export interface ApiCall {
  readonly method: string;
  readonly args: Record<string, unknown>;
  readonly status: number;
  readonly at: number;
  readonly error?: string;
}

export interface FakeUser {
  readonly id: string;
  readonly name: string;
}

export interface DeliveryOptions {
  /** Deliver the same payload twice (the second as a retry, with the same event_id). */
  duplicate?: boolean;
}

export interface SignedRequestOptions {
  /** Sign with a different secret. */
  badSignature?: boolean;
  /** Date the request 10 minutes in the past (Slack allows 5). */
  staleTimestamp?: boolean;
  /** X-Slack-Retry-Num, as Slack sets on a retry. */
  retryNum?: number;
}

export type EnvelopeType = "events_api" | "interactive" | "slash_commands";

const DEFAULTS = {
  botToken: "xoxb-fake-bot-token",
  appToken: "xapp-fake-app-token",
  signingSecret: "fake-signing-secret",
  botUserId: "UBOT00001",
  botId: "BBOT00001",
  teamId: "TFAKE0001",
};

/** Computes Slack's v0 request signature over the raw body. */
export function signSlackRequest(secret: string, timestampSec: number, rawBody: string): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestampSec}:${rawBody}`).digest("hex")}`;
}

export class FakeSlack {
  readonly botToken: string;
  readonly appToken: string;
  readonly signingSecret: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly teamId: string;
  readonly appId = "AFAKE0001";
  /** Every Web API call, oldest first. */
  readonly calls: ApiCall[] = [];
  /** Every ack received over Socket Mode. */
  readonly acks: { envelope_id: string; payload: unknown }[] = [];
  /** Deliveries the fake made (socket envelopes or HTTP posts), with how they were answered. */
  readonly deliveries: { type: EnvelopeType; eventId: string; via: "socket" | "http"; status?: number }[] =
    [];
  requestUrl: string | undefined;

  readonly #server: Server;
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #sockets = new Set<WebSocket>();
  readonly #tcp = new Set<Socket>();
  readonly #tickets = new Set<string>();
  readonly #ackWaiters = new Map<string, (payload: unknown) => void>();
  readonly #messages: FakeMessage[] = [];
  readonly #events = new EventEmitter();
  readonly #deliveryTimeoutMs: number;
  #port = 0;
  #seq = 0;
  #rateLimit = { remaining: 0, retryAfterSec: 1, methods: undefined as readonly string[] | undefined };
  #down = false;
  #downTimer: NodeJS.Timeout | undefined;

  private constructor(opts: FakeSlackOptions) {
    this.botToken = opts.botToken ?? DEFAULTS.botToken;
    this.appToken = opts.appToken ?? DEFAULTS.appToken;
    this.signingSecret = opts.signingSecret ?? DEFAULTS.signingSecret;
    this.botUserId = opts.botUserId ?? DEFAULTS.botUserId;
    this.botId = opts.botId ?? DEFAULTS.botId;
    this.teamId = opts.teamId ?? DEFAULTS.teamId;
    this.requestUrl = opts.requestUrl;
    this.#deliveryTimeoutMs = opts.deliveryTimeoutMs ?? 5000;
    this.#events.setMaxListeners(100);
    this.#server = createServer((req, res) => void this.#onRequest(req, res));
    this.#server.on("connection", (s: Socket) => {
      this.#tcp.add(s);
      s.on("close", () => this.#tcp.delete(s));
    });
    this.#server.on("upgrade", (req, socket, head) => this.#onUpgrade(req, socket as Socket, head));
  }

  /** Starts a fake Slack on an ephemeral 127.0.0.1 port. */
  static async start(opts: FakeSlackOptions = {}): Promise<FakeSlack> {
    const fake = new FakeSlack(opts);
    await fake.#listen(0);
    fake.#port = (fake.#server.address() as AddressInfo).port;
    return fake;
  }

  /** Base URL of the Web API, with its trailing slash, as `slackApiUrl` wants it. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.#port}/api/`;
  }

  /** Open Socket Mode connections. */
  get openSockets(): number {
    return this.#sockets.size;
  }

  /** Every message in every channel, users' and the bot's, oldest first. */
  messages(): readonly FakeMessage[] {
    return this.#messages;
  }

  /** Messages the bot posted, oldest first, with edits applied. */
  botMessages(): readonly FakeMessage[] {
    return this.#messages.filter((m) => m.bot_id === this.botId);
  }

  /** Answers the next `count` Web API calls (optionally only `methods`) with 429 and Retry-After. */
  rateLimitNext(count: number, retryAfterSec = 1, methods?: readonly string[]): void {
    this.#rateLimit = { remaining: count, retryAfterSec, methods };
  }

  /** Drops every connection and refuses new ones; comes back by itself after `forMs` if given. */
  async goAway(forMs?: number): Promise<void> {
    if (this.#down) return;
    this.#down = true;
    for (const ws of this.#sockets) ws.terminate();
    this.#sockets.clear();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    for (const s of this.#tcp) s.destroy();
    await closed;
    if (forMs !== undefined) this.#downTimer = setTimeout(() => void this.comeBack(), forMs);
  }

  /** Asks every Socket Mode connection to go, as Slack does before recycling a host. */
  refreshSockets(): void {
    for (const ws of this.#sockets) {
      ws.send(
        JSON.stringify({
          type: "disconnect",
          reason: "refresh_requested",
          debug_info: { host: "fake-slack" },
        }),
      );
    }
  }

  /** Listens again on the same port after goAway(). */
  async comeBack(): Promise<void> {
    clearTimeout(this.#downTimer);
    if (!this.#down) return;
    await this.#listen(this.#port);
    this.#down = false;
  }

  get isDown(): boolean {
    return this.#down;
  }

  async close(): Promise<void> {
    clearTimeout(this.#downTimer);
    for (const ws of this.#sockets) ws.terminate();
    this.#wss.close();
    if (this.#down) return;
    this.#down = true;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    for (const s of this.#tcp) s.destroy();
    await closed;
  }

  // ---- acting as users -----------------------------------------------------------------

  /** A user posts in a channel (or a thread); the bot receives a `message` event, plus `app_mention` when mentioned. */
  async userMessage(opts: {
    channel: string;
    user: FakeUser;
    text: string;
    thread_ts?: string;
    duplicate?: boolean;
  }): Promise<FakeMessage> {
    const message = this.#recordUserMessage(opts);
    await this.#deliverUserMessage(message, opts.duplicate);
    return message;
  }

  #recordUserMessage(opts: {
    channel: string;
    user: FakeUser;
    text: string;
    thread_ts?: string;
  }): FakeMessage {
    const parent = opts.thread_ts ? this.#find(opts.channel, opts.thread_ts) : undefined;
    if (opts.thread_ts && !parent)
      throw new Error(`fake slack: no message ${opts.thread_ts} in ${opts.channel}`);
    const thread_ts = parent ? (parent.thread_ts ?? parent.ts) : undefined;
    const message: FakeMessage = {
      channel: opts.channel,
      ts: this.#nextTs(),
      thread_ts,
      user: opts.user.id,
      text: opts.text,
      edits: 0,
    };
    this.#messages.push(message);
    return message;
  }

  async #deliverUserMessage(message: FakeMessage, duplicate?: boolean): Promise<void> {
    const event = {
      type: "message",
      channel: message.channel,
      channel_type: "channel",
      user: message.user,
      text: message.text,
      ts: message.ts,
      event_ts: message.ts,
      team: this.teamId,
      ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
    };
    await this.deliverEvent(event, { duplicate });
    if (message.text.includes(`<@${this.botUserId}>`)) {
      const { channel_type: _omit, ...mention } = event;
      await this.deliverEvent({ ...mention, type: "app_mention" });
    }
  }

  /** A user runs a slash command in a channel. Resolves with the trigger_id once acked. */
  async slashCommand(opts: {
    channel: string;
    user: FakeUser;
    text: string;
    command?: string;
    duplicate?: boolean;
  }): Promise<string> {
    const trigger_id = `${Date.now()}.${++this.#seq}.${randomBytes(8).toString("hex")}`;
    const payload = {
      token: "legacy-verification-token",
      team_id: this.teamId,
      team_domain: "fake",
      channel_id: opts.channel,
      channel_name: "general",
      user_id: opts.user.id,
      user_name: opts.user.name,
      command: opts.command ?? "/vigil",
      text: opts.text,
      api_app_id: this.appId,
      is_enterprise_install: "false",
      response_url: `http://127.0.0.1:${this.#port}/response/${trigger_id}`,
      trigger_id,
    };
    await this.deliver("slash_commands", payload, trigger_id, { duplicate: opts.duplicate });
    return trigger_id;
  }

  /** A user clicks a button on a bot message; the button must be on the message now. */
  async click(opts: { channel: string; ts: string; actionId: string; user: FakeUser }): Promise<string> {
    const message = this.#find(opts.channel, opts.ts);
    if (!message) throw new Error(`fake slack: no message ${opts.ts} in ${opts.channel}`);
    const found = buttonsOf(message).find((b) => b.action_id === opts.actionId);
    if (!found) throw new Error(`fake slack: message ${opts.ts} has no button ${opts.actionId}`);
    const action_ts = this.#nextTs();
    const payload = {
      type: "block_actions",
      user: { id: opts.user.id, username: opts.user.name, name: opts.user.name, team_id: this.teamId },
      api_app_id: this.appId,
      token: "legacy-verification-token",
      container: {
        type: "message",
        message_ts: message.ts,
        channel_id: message.channel,
        is_ephemeral: false,
        ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
      },
      trigger_id: `${Date.now()}.${++this.#seq}.${randomBytes(8).toString("hex")}`,
      team: { id: this.teamId, domain: "fake" },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: message.channel, name: "general" },
      message: {
        type: "message",
        user: this.botUserId,
        bot_id: message.bot_id,
        ts: message.ts,
        text: message.text,
        blocks: message.blocks,
        ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
      },
      state: { values: {} },
      response_url: `http://127.0.0.1:${this.#port}/response/${action_ts}`,
      actions: [
        {
          type: "button",
          action_id: found.action_id,
          block_id: found.block_id,
          text: found.text,
          value: found.value,
          ...(found.style ? { style: found.style } : {}),
          action_ts,
        },
      ],
    };
    await this.deliver("interactive", payload, `action:${action_ts}`);
    return action_ts;
  }

  /** Delivers an Events API event wrapped in an event_callback. */
  async deliverEvent(event: Record<string, unknown>, opts: DeliveryOptions = {}): Promise<string> {
    const event_id = `Ev${Date.now().toString(36).toUpperCase()}${++this.#seq}`;
    const body = {
      token: "legacy-verification-token",
      team_id: this.teamId,
      api_app_id: this.appId,
      event,
      type: "event_callback",
      event_id,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [
        { team_id: this.teamId, user_id: this.botUserId, is_bot: true, is_enterprise_install: false },
      ],
      is_ext_shared_channel: false,
    };
    await this.deliver("events_api", body, event_id, opts);
    return event_id;
  }

  /** Sends a payload to the app over Socket Mode or HTTP, whichever is configured; resolves once acked. */
  async deliver(
    type: EnvelopeType,
    payload: object,
    eventId: string,
    opts: DeliveryOptions = {},
  ): Promise<void> {
    const attempts = opts.duplicate ? 2 : 1;
    for (let retry = 0; retry < attempts; retry++) {
      if (this.requestUrl) {
        const status = await this.#deliverHttp(type, payload, retry);
        this.deliveries.push({ type, eventId, via: "http", status });
        if (status !== 200) throw new Error(`fake slack: the app answered ${status} to a ${type} delivery`);
      } else {
        await this.#deliverSocket(type, payload, retry);
        this.deliveries.push({ type, eventId, via: "socket" });
      }
    }
  }

  /** POSTs a signed request to an HTTP-mode receiver, as Slack does; returns the status and body. */
  async signedPost(
    url: string,
    body: string,
    contentType: "application/json" | "application/x-www-form-urlencoded",
    opts: SignedRequestOptions = {},
  ): Promise<{ status: number; body: string }> {
    const now = Math.floor(Date.now() / 1000);
    const ts = opts.staleTimestamp ? now - 600 : now;
    const secret = opts.badSignature ? `${this.signingSecret}-wrong` : this.signingSecret;
    const headers: Record<string, string> = {
      "content-type": contentType,
      "x-slack-request-timestamp": String(ts),
      "x-slack-signature": signSlackRequest(secret, ts, body),
    };
    if (opts.retryNum !== undefined) {
      headers["x-slack-retry-num"] = String(opts.retryNum);
      headers["x-slack-retry-reason"] = "http_timeout";
    }
    const res = await fetch(url, { method: "POST", headers, body });
    return { status: res.status, body: await res.text() };
  }

  /** Encodes a payload the way Slack's HTTP deliveries carry it. */
  static encodeHttpBody(
    type: EnvelopeType,
    payload: object,
  ): { body: string; contentType: "application/json" | "application/x-www-form-urlencoded" } {
    if (type === "events_api") return { body: JSON.stringify(payload), contentType: "application/json" };
    if (type === "interactive") {
      return {
        body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
        contentType: "application/x-www-form-urlencoded",
      };
    }
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(payload)) form.set(k, String(v));
    return { body: form.toString(), contentType: "application/x-www-form-urlencoded" };
  }

  // ---- observing the bot ---------------------------------------------------------------

  /** Resolves with the first bot message (posted from now on, or already there) that matches. */
  waitForBotMessage(match: (m: FakeMessage) => boolean, timeoutMs = 5000): Promise<FakeMessage> {
    const existing = this.botMessages().find(match);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const onPost = (m: FakeMessage) => {
        if (!match(m)) return;
        clearTimeout(timer);
        this.#events.off("posted", onPost);
        resolve(m);
      };
      const timer = setTimeout(() => {
        this.#events.off("posted", onPost);
        reject(new Error(`fake slack: no matching bot message within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#events.on("posted", onPost);
    });
  }

  /**
   * Measures one round trip: a user posts `text` in `channel`, and the clock stops when the bot's
   * reply lands in that message's thread. Returns milliseconds.
   */
  async measureRoundTrip(opts: {
    channel: string;
    user: FakeUser;
    text: string;
    timeoutMs?: number;
  }): Promise<number> {
    const started = performance.now();
    // Recorded before delivery so a reply that races the ack is still recognised.
    const message = this.#recordUserMessage(opts);
    const replied = this.waitForBotMessage(
      (m) => m.channel === opts.channel && m.thread_ts === message.ts,
      opts.timeoutMs ?? 10_000,
    );
    replied.catch(() => undefined); // observed below; this only keeps an early delivery failure from leaving it unhandled
    await this.#deliverUserMessage(message);
    await replied;
    return performance.now() - started;
  }

  // ---- internals -----------------------------------------------------------------------

  #listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.#server.once("error", onError);
      this.#server.listen(port, "127.0.0.1", () => {
        this.#server.off("error", onError);
        resolve();
      });
    });
  }

  #nextTs(): string {
    this.#seq++;
    return `${Math.floor(Date.now() / 1000)}.${String(this.#seq % 1_000_000).padStart(6, "0")}`;
  }

  #find(channel: string, ts: string): FakeMessage | undefined {
    return this.#messages.find((m) => m.channel === channel && m.ts === ts);
  }

  async #deliverSocket(type: EnvelopeType, payload: object, retry: number): Promise<void> {
    const deadline = Date.now() + this.#deliveryTimeoutMs;
    let ws = this.#pickSocket();
    while (!ws) {
      if (Date.now() > deadline) throw new Error("fake slack: no Socket Mode connection to deliver to");
      await new Promise((r) => setTimeout(r, 10));
      ws = this.#pickSocket();
    }
    const envelope_id = randomBytes(16).toString("hex");
    const acked = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#ackWaiters.delete(envelope_id);
        reject(
          new Error(
            `fake slack: envelope ${envelope_id} (${type}) was not acked within ${this.#deliveryTimeoutMs} ms`,
          ),
        );
      }, this.#deliveryTimeoutMs);
      this.#ackWaiters.set(envelope_id, (p) => {
        clearTimeout(timer);
        resolve(p);
      });
    });
    ws.send(
      JSON.stringify({
        envelope_id,
        type,
        payload,
        accepts_response_payload: type !== "events_api",
        ...(type === "events_api" ? { retry_attempt: retry, retry_reason: retry > 0 ? "timeout" : "" } : {}),
      }),
    );
    await acked;
  }

  #pickSocket(): WebSocket | undefined {
    let last: WebSocket | undefined;
    for (const ws of this.#sockets) if (ws.readyState === ws.OPEN) last = ws;
    return last;
  }

  async #deliverHttp(type: EnvelopeType, payload: object, retry: number): Promise<number> {
    const { body, contentType } = FakeSlack.encodeHttpBody(type, payload);
    const url = this.requestUrl as string;
    const res = await this.signedPost(url, body, contentType, retry > 0 ? { retryNum: retry } : {});
    return res.status;
  }

  #onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const ticket = url.searchParams.get("ticket") ?? "";
    if (this.#down || url.pathname !== "/link" || !this.#tickets.delete(ticket)) {
      socket.end("HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n");
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      this.#sockets.add(ws);
      ws.on("close", () => this.#sockets.delete(ws));
      ws.on("error", () => this.#sockets.delete(ws));
      ws.on("message", (data) => {
        let msg: { envelope_id?: string; payload?: unknown };
        try {
          msg = JSON.parse(String(data));
        } catch {
          return;
        }
        if (!msg.envelope_id) return;
        this.acks.push({ envelope_id: msg.envelope_id, payload: msg.payload });
        this.#ackWaiters.get(msg.envelope_id)?.(msg.payload);
        this.#ackWaiters.delete(msg.envelope_id);
      });
      ws.send(
        JSON.stringify({
          type: "hello",
          num_connections: this.#sockets.size,
          debug_info: { host: "fake-slack", approximate_connection_time: 18060 },
          connection_info: { app_id: this.appId },
        }),
      );
    });
  }

  async #onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const raw = await readBody(req);
    if (!url.pathname.startsWith("/api/")) {
      // response_url posts and anything else: accept and ignore.
      res.writeHead(url.pathname.startsWith("/response/") ? 200 : 404, {
        "content-type": "application/json",
      });
      res.end(JSON.stringify({ ok: true }));
      return;
    }
    const method = url.pathname.slice("/api/".length);
    const args = parseArgs(raw, req.headers["content-type"] ?? "");
    const send = (status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) => {
      this.calls.push({
        method,
        args,
        status,
        at: Date.now(),
        error: body.ok === false ? String(body.error) : undefined,
      });
      res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
      res.end(JSON.stringify(body));
    };

    const rl = this.#rateLimit;
    if (rl.remaining > 0 && (!rl.methods || rl.methods.includes(method))) {
      rl.remaining--;
      send(429, { ok: false, error: "ratelimited" }, { "retry-after": String(rl.retryAfterSec) });
      return;
    }

    const auth = req.headers.authorization ?? "";
    const token = auth.startsWith("Bearer ")
      ? auth.slice(7)
      : typeof args.token === "string"
        ? args.token
        : "";
    if (!token) return send(200, { ok: false, error: "not_authed" });

    if (method === "apps.connections.open") {
      if (token !== this.appToken) return send(200, { ok: false, error: "invalid_auth" });
      if (this.#down) return send(200, { ok: false, error: "service_unavailable" });
      const ticket = randomBytes(12).toString("hex");
      this.#tickets.add(ticket);
      return send(200, { ok: true, url: `ws://127.0.0.1:${this.#port}/link?ticket=${ticket}` });
    }
    if (token === this.appToken) return send(200, { ok: false, error: "not_allowed_token_type" });
    if (token !== this.botToken) return send(200, { ok: false, error: "invalid_auth" });

    switch (method) {
      case "auth.test":
        return send(200, {
          ok: true,
          url: "https://fake.slack.com/",
          team: "Fake Team",
          user: "vigil",
          team_id: this.teamId,
          user_id: this.botUserId,
          bot_id: this.botId,
          is_enterprise_install: false,
        });
      case "chat.postMessage":
        return send(200, this.#postMessage(args));
      case "chat.update":
        return send(200, this.#update(args));
      default:
        return send(200, { ok: false, error: "unknown_method" });
    }
  }

  #postMessage(args: Record<string, unknown>): Record<string, unknown> {
    const channel = String(args.channel ?? "");
    if (!/^[CDG][A-Z0-9]+$/.test(channel)) return { ok: false, error: "channel_not_found" };
    const content = checkContent(args);
    if ("error" in content) return { ok: false, error: content.error };
    let thread_ts: string | undefined;
    if (args.thread_ts !== undefined && args.thread_ts !== "") {
      const parent = this.#find(channel, String(args.thread_ts));
      // Real Slack quietly posts to the channel for an unknown thread; refusing catches adapter bugs.
      if (!parent) return { ok: false, error: "thread_not_found" };
      thread_ts = parent.thread_ts ?? parent.ts;
    }
    const message: FakeMessage = {
      channel,
      ts: this.#nextTs(),
      thread_ts,
      user: this.botUserId,
      bot_id: this.botId,
      text: content.text,
      blocks: content.blocks,
      edits: 0,
    };
    this.#messages.push(message);
    this.#events.emit("posted", message);
    return { ok: true, channel, ts: message.ts, message: { ...message, type: "message" } };
  }

  #update(args: Record<string, unknown>): Record<string, unknown> {
    const message = this.#find(String(args.channel ?? ""), String(args.ts ?? ""));
    if (!message) return { ok: false, error: "message_not_found" };
    if (message.bot_id !== this.botId) return { ok: false, error: "cant_update_message" };
    const content = checkContent(args);
    if ("error" in content) return { ok: false, error: content.error };
    message.text = content.text;
    message.blocks = content.blocks;
    message.edits++;
    this.#events.emit("updated", message);
    return { ok: true, channel: message.channel, ts: message.ts, text: message.text };
  }
}

/** The buttons currently on a message, from its actions blocks. */
export function buttonsOf(message: FakeMessage): {
  action_id: string;
  value?: string;
  block_id?: string;
  style?: string;
  text: { type: string; text: string };
}[] {
  const out = [];
  for (const block of message.blocks ?? []) {
    if (block.type !== "actions" || !Array.isArray(block.elements)) continue;
    for (const el of block.elements as Record<string, unknown>[]) {
      if (el.type !== "button") continue;
      out.push({
        action_id: String(el.action_id),
        value: el.value === undefined ? undefined : String(el.value),
        block_id: block.block_id === undefined ? undefined : String(block.block_id),
        style: el.style === undefined ? undefined : String(el.style),
        text: el.text as { type: string; text: string },
      });
    }
  }
  return out;
}

/** The text a reader sees: the blocks' texts in order, or the fallback text when there are no blocks. */
export function visibleText(message: FakeMessage): string {
  if (!message.blocks || message.blocks.length === 0) return message.text;
  const parts: string[] = [];
  for (const block of message.blocks) {
    const text = block.text as { text?: string } | undefined;
    if (text?.text !== undefined && block.type !== "actions") parts.push(text.text);
    if (Array.isArray(block.fields))
      parts.push((block.fields as { text: string }[]).map((f) => f.text).join("\n"));
    if (block.type === "context" && Array.isArray(block.elements)) {
      parts.push((block.elements as { text?: string }[]).map((e) => e.text ?? "").join(" "));
    }
  }
  return parts.join("\n");
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parseArgs(raw: string, contentType: string): Record<string, unknown> {
  if (contentType.includes("application/json")) {
    try {
      return JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(raw));
}

/** Validates text/blocks as Slack does, within the limits that matter to a renderer. */
function checkContent(
  args: Record<string, unknown>,
): { text: string; blocks?: Record<string, unknown>[] } | { error: string } {
  let blocks: Record<string, unknown>[] | undefined;
  if (args.blocks !== undefined) {
    try {
      blocks =
        typeof args.blocks === "string"
          ? JSON.parse(args.blocks)
          : (args.blocks as Record<string, unknown>[]);
    } catch {
      return { error: "invalid_blocks_format" };
    }
    if (!Array.isArray(blocks) || blocks.length > 50) return { error: "invalid_blocks" };
    for (const block of blocks) {
      const text = block.text as { text?: string } | undefined;
      if (block.type === "section" && (text?.text ?? "").length > 3000) return { error: "invalid_blocks" };
      if (block.type === "section" && !text && !Array.isArray(block.fields))
        return { error: "invalid_blocks" };
      if (block.type === "header" && (text?.text ?? "").length > 150) return { error: "invalid_blocks" };
      if (block.type === "actions") {
        const els = block.elements as Record<string, unknown>[] | undefined;
        if (!Array.isArray(els) || els.length === 0 || els.length > 25) return { error: "invalid_blocks" };
        for (const el of els) {
          const t = (el.text as { text?: string } | undefined)?.text ?? "";
          if (t.length === 0 || t.length > 75) return { error: "invalid_blocks" };
          if (String(el.value ?? "").length > 2000 || String(el.action_id ?? "").length > 255) {
            return { error: "invalid_blocks" };
          }
        }
      }
    }
  }
  const text = typeof args.text === "string" ? args.text : "";
  if (!text && !blocks?.length) return { error: "no_text" };
  if (text.length > 40_000) return { error: "msg_too_long" };
  return { text, blocks };
}
