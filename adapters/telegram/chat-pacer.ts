// Paces sends into one chat: a small token bucket per chat on top of the delivery queue's
// platform-wide bucket, because Telegram limits each chat (about one message a second) too.

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface ChatPacerOptions {
  /** Sustained messages per second into one chat. */
  perSecond: number;
  /** Messages allowed back to back into one chat. */
  burst: number;
  now?: () => number;
}

export class ChatPacer {
  readonly #opts: Required<ChatPacerOptions>;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(opts: ChatPacerOptions) {
    this.#opts = { now: Date.now, ...opts };
  }

  /** Waits until one more message may go into `chat`, and takes that slot. */
  async take(chat: string): Promise<void> {
    for (;;) {
      const now = this.#opts.now();
      const b = this.#buckets.get(chat) ?? { tokens: this.#opts.burst, at: now };
      b.tokens = Math.min(this.#opts.burst, b.tokens + ((now - b.at) / 1000) * this.#opts.perSecond);
      b.at = now;
      this.#buckets.set(chat, b);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        // A full bucket is the default state; forget it so idle chats cost nothing.
        if (this.#buckets.size > 10_000) this.#sweep(now);
        return;
      }
      await sleep(Math.ceil(((1 - b.tokens) / this.#opts.perSecond) * 1000));
    }
  }

  #sweep(now: number): void {
    for (const [chat, b] of this.#buckets) {
      if (b.tokens + ((now - b.at) / 1000) * this.#opts.perSecond >= this.#opts.burst)
        this.#buckets.delete(chat);
    }
  }
}
