// The console adapter: Vigil in a terminal. Each input line is a message in one thread;
// cards print as text and a number typed alone clicks the matching button.

import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { AdapterStatusTracker } from "../../src/core/adapter-status.ts";
import type { Card } from "../../src/core/card.ts";
import type {
  AdapterStatus,
  ChatAdapter,
  ChatUser,
  InboundHandler,
  MessageRef,
  ReplyTarget,
} from "../../src/core/chat-adapter.ts";
import { renderConsole } from "./render-console.ts";

export interface ConsoleAdapterOptions {
  input: Readable;
  output: Writable;
  user: ChatUser;
  /** Prompt shown before each line when the input is a terminal. */
  prompt?: string;
}

const CONVERSATION = "console";
const THREAD = "main";

export class ConsoleAdapter implements ChatAdapter {
  readonly platform = "console" as const;
  readonly #opts: ConsoleAdapterOptions;
  readonly #status = new AdapterStatusTracker("console");
  /** Buttons on screen, by the number the user types. */
  readonly #choices = new Map<number, { buttonId: string; ref: MessageRef }>();
  #nextChoice = 1;
  #nextMessage = 1;
  #lineNo = 0;
  #closed: Promise<void> = Promise.resolve();
  #rl: ReturnType<typeof createInterface> | undefined;

  constructor(opts: ConsoleAdapterOptions) {
    this.#opts = opts;
  }

  /** Resolves when the input has ended and every line was handled. */
  get done(): Promise<void> {
    return this.#closed;
  }

  async start(handler: InboundHandler): Promise<void> {
    const rl = createInterface({ input: this.#opts.input, terminal: false });
    this.#rl = rl;
    this.#status.set("connected");
    this.#closed = (async () => {
      // Lines are handled one at a time, so a piped script reads like a conversation.
      for await (const raw of rl) {
        const line = raw.trim();
        if (line === "") continue;
        this.#lineNo++;
        const choice = /^\d+$/.test(line) ? this.#choices.get(Number(line)) : undefined;
        const base = {
          platform: this.platform,
          conversation: CONVERSATION,
          thread: THREAD,
          user: this.#opts.user,
          eventId: `line:${process.pid}:${this.#lineNo}`,
          receivedAt: new Date(),
        };
        if (choice) {
          await handler({ ...base, kind: "action", actionId: choice.buttonId, message: choice.ref });
        } else {
          await handler({ ...base, kind: "message", messageId: `in-${this.#lineNo}`, text: line });
        }
      }
      this.#status.set("stopped");
    })();
  }

  async stop(): Promise<void> {
    this.#rl?.close();
    this.#status.set("stopped");
  }

  status(): AdapterStatus {
    return this.#status.get();
  }

  async send(target: ReplyTarget, card: Card): Promise<MessageRef> {
    const ref: MessageRef = {
      platform: this.platform,
      conversation: target.conversation,
      thread: target.thread,
      messageId: `out-${this.#nextMessage++}`,
    };
    this.#print(ref, card);
    return ref;
  }

  async update(ref: MessageRef, card: Card): Promise<void> {
    // A terminal cannot edit what it printed: show the new state and retire old choices.
    for (const [n, c] of this.#choices) if (c.ref.messageId === ref.messageId) this.#choices.delete(n);
    this.#print(ref, card, `(update to ${ref.messageId})`);
  }

  #print(ref: MessageRef, card: Card, prefix?: string): void {
    const first = this.#nextChoice;
    card.buttons.forEach((b, i) => {
      this.#choices.set(first + i, { buttonId: b.id, ref });
    });
    this.#nextChoice += card.buttons.length;
    const text = renderConsole(card, first);
    this.#opts.output.write(`${prefix ? `${prefix}\n` : ""}${text}\n\n`);
  }
}
