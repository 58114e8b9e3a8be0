// The hub: receives every adapter's inbound events, handles each delivery once, finds the
// event's session (a thread is a session), and runs the middleware pipeline with a context
// that can reply into the thread, edit cards and mint buttons.

import type { ActionRepository } from "../store/action-repository.ts";
import type { HandledEvents } from "../store/handled-events.ts";
import type { SessionRecord, SessionRepository } from "../store/session-repository.ts";
import { type Button, type ButtonStyle, type Card, textCard } from "./card.ts";
import type { ChatAdapter, InboundEvent, MessageRef, Platform, ReplyTarget } from "./chat-adapter.ts";
import { compose, type Middleware } from "./compose.ts";

export interface HubLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface ChatContext {
  readonly event: InboundEvent;
  readonly adapter: ChatAdapter;
  readonly session: SessionRecord;
  /** Where replies go: the session's thread. */
  readonly target: ReplyTarget;
  /** For messages: the text with any bot mention or `/vigil` prefix removed. */
  readonly text: string;
  readonly hub: ChatHub;
  reply(card: Card | string): Promise<MessageRef>;
  update(ref: MessageRef, card: Card): Promise<void>;
  /** A button whose click runs the action handler `handler` with `payload` (kept server-side). */
  button(label: string, handler: string, payload?: unknown, style?: ButtonStyle): Button;
}

/** Where a context's event happened, as the audit log records it: platform, conversation, thread. */
export function whereOf(ctx: Pick<ChatContext, "event" | "session">): {
  platform: string;
  conversation: string;
  thread: string;
} {
  return { platform: ctx.event.platform, conversation: ctx.event.conversation, thread: ctx.session.thread };
}

/** Runs when a stored-action button (`a:` id) is clicked. */
export type ActionHandler = (ctx: ChatContext, payload: unknown) => Promise<void>;
/** Runs when a button whose id starts with `<prefix>:` is clicked (e.g. `ap:` approvals). */
export type PrefixActionHandler = (ctx: ChatContext, rest: string) => Promise<void>;

export interface ChatHubOptions {
  sessions: SessionRepository;
  handledEvents: HandledEvents;
  actions: ActionRepository;
  log: HubLog;
  /** Applied to every message before it is kept in session history (which later reaches models). */
  redact?: (text: string) => string;
  /** Runs `fn` in one store transaction, so taking a delivery costs one commit, not three. */
  transaction?: <T>(fn: () => T) => T;
}

const MENTION = /^\s*(?:<@[A-Z0-9]+>|<@!?\d+>|@vigil\b|\/vigil(?:@\w+)?\b|vigil[:,])\s*/i;

export class ChatHub {
  readonly #opts: ChatHubOptions;
  readonly #adapters = new Map<Platform, ChatAdapter>();
  readonly #middleware: Middleware<ChatContext>[] = [];
  readonly #actionHandlers = new Map<string, ActionHandler>();
  readonly #prefixHandlers = new Map<string, PrefixActionHandler>();
  #run: ((ctx: ChatContext) => Promise<void>) | undefined;
  readonly #inFlight = new Set<Promise<void>>();

  constructor(opts: ChatHubOptions) {
    this.#opts = opts;
  }

  /** Adds middleware to the pipeline; order matters, the first added runs first. */
  use(mw: Middleware<ChatContext>): this {
    this.#middleware.push(mw);
    this.#run = undefined;
    return this;
  }

  onAction(handler: string, fn: ActionHandler): this {
    this.#actionHandlers.set(handler, fn);
    return this;
  }

  onActionPrefix(prefix: string, fn: PrefixActionHandler): this {
    this.#prefixHandlers.set(prefix, fn);
    return this;
  }

  attach(adapter: ChatAdapter): this {
    this.#adapters.set(adapter.platform, adapter);
    return this;
  }

  adapter(platform: Platform): ChatAdapter | undefined {
    return this.#adapters.get(platform);
  }

  adapters(): ChatAdapter[] {
    return [...this.#adapters.values()];
  }

  /** Starts every adapter; one that fails records its error and the others go on. */
  async start(): Promise<void> {
    await Promise.all(
      this.adapters().map(async (adapter) => {
        try {
          await adapter.start((event) => this.handle(adapter, event));
        } catch (err) {
          this.#opts.log.error({ err, platform: adapter.platform }, "adapter failed to start");
        }
      }),
    );
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.adapters().map((a) => a.stop()));
    await this.idle();
  }

  /** Resolves when every event being handled has finished. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  /**
   * Sends a card to any conversation on any connected platform (e.g. an approvals channel). A card
   * posted into a session's thread joins that session, so clicks and replies on it find it again.
   */
  async post(platform: Platform, target: ReplyTarget, card: Card): Promise<MessageRef> {
    const adapter = this.#adapters.get(platform);
    if (!adapter) throw new Error(`no ${platform} adapter is configured`);
    const ref = await adapter.send(target, card);
    const session =
      target.thread && this.#opts.sessions.findByThread(platform, target.conversation, target.thread);
    if (session)
      this.#opts.sessions.addMessage(session, {
        role: "assistant",
        text: this.#redact(card.markdown),
        platformMessageId: ref.messageId,
      });
    return ref;
  }

  /** Entry point for adapters: handles one delivery, at most once. Never throws. */
  handle(adapter: ChatAdapter, event: InboundEvent): Promise<void> {
    const work = this.#handle(adapter, event);
    this.#inFlight.add(work);
    return work.finally(() => this.#inFlight.delete(work));
  }

  async #handle(adapter: ChatAdapter, event: InboundEvent): Promise<void> {
    const { log, handledEvents, transaction = (fn) => fn() } = this.#opts;
    try {
      // Claiming the delivery, finding the session and recording the message commit together.
      const session = transaction(() => {
        if (!handledEvents.claim(event.platform, event.eventId)) return undefined;
        const found = this.#sessionFor(event);
        if (event.kind === "message") {
          this.#opts.sessions.addMessage(found, {
            role: "user",
            author: event.user.id,
            text: this.#redact(event.text),
            platformMessageId: event.messageId,
          });
        }
        return found;
      });
      if (!session) {
        log.debug({ platform: event.platform, eventId: event.eventId }, "duplicate delivery ignored");
        return;
      }
      const ctx = this.#context(adapter, event, session);
      if (event.kind === "message") {
        this.#run ??= compose(this.#middleware);
        await this.#run(ctx);
      } else {
        await this.#dispatchAction(ctx, event.actionId);
      }
    } catch (err) {
      log.error({ err, platform: event.platform, eventId: event.eventId }, "handling an event failed");
      await this.#reportFailure(adapter, event, err);
    }
  }

  #redact(text: string): string {
    return this.#opts.redact ? this.#opts.redact(text) : text;
  }

  #sessionFor(event: InboundEvent): SessionRecord {
    const { sessions } = this.#opts;
    const { platform, conversation } = event;
    if (event.thread) return sessions.openThread(platform, conversation, event.thread);
    if (event.kind === "action") {
      return (
        sessions.findByMessage(platform, conversation, event.message.messageId) ??
        sessions.openThread(platform, conversation, event.message.thread ?? event.message.messageId)
      );
    }
    if (event.replyTo) {
      const found = sessions.findByMessage(platform, conversation, event.replyTo);
      if (found) return found;
    }
    return sessions.openThread(platform, conversation, event.messageId);
  }

  #context(adapter: ChatAdapter, event: InboundEvent, session: SessionRecord): ChatContext {
    const target: ReplyTarget = { conversation: session.conversation, thread: session.thread };
    const text = event.kind === "message" ? event.text.replace(MENTION, "").trim() : "";
    const sessions = this.#opts.sessions;
    const actions = this.#opts.actions;
    const redact = (text: string) => this.#redact(text);
    return {
      event,
      adapter,
      session,
      target,
      text,
      hub: this,
      async reply(card) {
        const c = typeof card === "string" ? textCard(card) : card;
        const ref = await adapter.send(target, c);
        sessions.addMessage(session, {
          role: "assistant",
          text: redact(c.markdown),
          platformMessageId: ref.messageId,
        });
        return ref;
      },
      update: (ref, card) => adapter.update(ref, card),
      button: (label, handler, payload, style) => ({ id: actions.create(handler, payload), label, style }),
    };
  }

  async #dispatchAction(ctx: ChatContext, actionId: string): Promise<void> {
    const colon = actionId.indexOf(":");
    const prefix = colon > 0 ? actionId.slice(0, colon) : "";
    if (prefix === "a") {
      const stored = this.#opts.actions.get(actionId);
      const handler = stored && this.#actionHandlers.get(stored.handler);
      if (stored && handler && !(stored.expiresAt && Date.parse(stored.expiresAt) < Date.now())) {
        await handler(ctx, stored.payload);
        return;
      }
    } else {
      const handler = this.#prefixHandlers.get(prefix);
      if (handler) {
        await handler(ctx, actionId.slice(colon + 1));
        return;
      }
    }
    this.#opts.log.warn({ actionId, user: ctx.event.user.id }, "click on an unknown or expired button");
    await ctx.reply("That button is no longer valid (it expired or was never issued by this Vigil).");
  }

  async #reportFailure(adapter: ChatAdapter, event: InboundEvent, err: unknown): Promise<void> {
    try {
      const thread = event.thread ?? (event.kind === "message" ? event.messageId : event.message.thread);
      const reason = err instanceof Error ? err.message : String(err);
      await adapter.send(
        { conversation: event.conversation, thread },
        textCard(`Something went wrong: ${reason}`),
      );
    } catch (sendErr) {
      this.#opts.log.error({ err: sendErr }, "could not report a failure to the chat");
    }
  }
}
