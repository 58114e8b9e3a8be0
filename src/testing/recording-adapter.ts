// A ChatAdapter for core tests: events are pushed in by the test, and everything sent is
// recorded. Platform behaviour is tested against the real libraries in adapters/.

import { AdapterStatusTracker } from "../core/adapter-status.ts";
import type { Card } from "../core/card.ts";
import type {
  AdapterStatus,
  ChatAdapter,
  InboundEvent,
  InboundHandler,
  MessageRef,
  Platform,
  ReplyTarget,
} from "../core/chat-adapter.ts";

export interface RecordedMessage {
  readonly ref: MessageRef;
  card: Card;
}

export class RecordingAdapter implements ChatAdapter {
  readonly platform: Platform;
  readonly sent: RecordedMessage[] = [];
  #handler: InboundHandler | undefined;
  #next = 1;
  readonly #status: AdapterStatusTracker;

  constructor(platform: Platform = "slack") {
    this.platform = platform;
    this.#status = new AdapterStatusTracker(platform);
  }

  async start(handler: InboundHandler): Promise<void> {
    this.#handler = handler;
    this.#status.set("connected");
  }

  async stop(): Promise<void> {
    this.#status.set("stopped");
  }

  status(): AdapterStatus {
    return this.#status.get();
  }

  async send(target: ReplyTarget, card: Card): Promise<MessageRef> {
    const ref = {
      platform: this.platform,
      conversation: target.conversation,
      thread: target.thread,
      messageId: `bot-${this.#next++}`,
    };
    this.sent.push({ ref, card });
    return ref;
  }

  async update(ref: MessageRef, card: Card): Promise<void> {
    const found = this.sent.find((m) => m.ref.messageId === ref.messageId);
    if (!found) throw new Error(`no message ${ref.messageId}`);
    found.card = card;
  }

  /** Delivers an event as the platform would; resolves when the hub has handled it. */
  async deliver(event: InboundEvent): Promise<void> {
    if (!this.#handler) throw new Error("adapter not started");
    await this.#handler(event);
  }
}
