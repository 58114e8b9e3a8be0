// Outbound delivery: one FIFO queue per conversation, a token bucket per platform,
// 429 / Retry-After honoured, failures retried with backoff and finally logged.
// Inbound handling never waits on this queue's rate limiting, only on its own sends.

export interface DeliveryLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Throw this from a send to say "the platform asked us to wait" (HTTP 429). */
export class RateLimitedError extends Error {
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number, options?: { cause?: unknown }) {
    super(`rate limited, retry after ${retryAfterMs} ms`, options);
    this.name = "RateLimitedError";
    this.retryAfterMs = retryAfterMs;
  }
}

export interface DeliveryQueueOptions {
  /** Sustained sends per second across the platform. */
  ratePerSecond: number;
  /** Sends allowed back to back before the rate applies. */
  burst: number;
  /** Attempts per delivery, including the first. */
  maxAttempts?: number;
  /** Base backoff for failures that are not rate limits. */
  backoffMs?: number;
  /** Errors for which retrying cannot help (bad request, unknown channel). */
  isPermanent?: (err: unknown) => boolean;
  log?: DeliveryLog;
  now?: () => number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class DeliveryQueue {
  readonly #opts: Required<Omit<DeliveryQueueOptions, "log" | "isPermanent">> &
    Pick<DeliveryQueueOptions, "log" | "isPermanent">;
  #tokens: number;
  #refilledAt: number;
  /** Platform-wide pause set by a 429 until this instant. */
  #pausedUntil = 0;
  readonly #tails = new Map<string, Promise<unknown>>();

  constructor(opts: DeliveryQueueOptions) {
    this.#opts = { maxAttempts: 5, backoffMs: 250, now: Date.now, ...opts };
    this.#tokens = opts.burst;
    this.#refilledAt = this.#opts.now();
  }

  /** Queues `send` behind earlier deliveries to the same conversation and resolves with its result. */
  enqueue<T>(conversation: string, send: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(conversation) ?? Promise.resolve();
    const run = previous.then(
      () => this.#deliver(send),
      () => this.#deliver(send),
    );
    const tail = run.catch(() => undefined);
    this.#tails.set(conversation, tail);
    void tail.then(() => {
      if (this.#tails.get(conversation) === tail) this.#tails.delete(conversation);
    });
    return run;
  }

  /** Conversations with deliveries in flight. */
  get pending(): number {
    return this.#tails.size;
  }

  async #deliver<T>(send: () => Promise<T>): Promise<T> {
    let attempt = 0;
    for (;;) {
      attempt++;
      await this.#takeToken();
      try {
        return await send();
      } catch (err) {
        const permanent = this.#opts.isPermanent?.(err) ?? false;
        if (permanent || attempt >= this.#opts.maxAttempts) {
          this.#opts.log?.error({ err, attempt }, "delivery failed for good");
          throw err;
        }
        if (err instanceof RateLimitedError) {
          this.#pausedUntil = Math.max(this.#pausedUntil, this.#opts.now() + err.retryAfterMs);
          this.#opts.log?.warn({ retryAfterMs: err.retryAfterMs, attempt }, "platform rate limit, waiting");
        } else {
          const wait = this.#opts.backoffMs * 2 ** (attempt - 1);
          this.#opts.log?.warn({ err, attempt, wait }, "delivery failed, retrying");
          await sleep(wait);
        }
      }
    }
  }

  async #takeToken(): Promise<void> {
    for (;;) {
      const now = this.#opts.now();
      if (now < this.#pausedUntil) {
        await sleep(this.#pausedUntil - now);
        continue;
      }
      const elapsed = (now - this.#refilledAt) / 1000;
      this.#tokens = Math.min(this.#opts.burst, this.#tokens + elapsed * this.#opts.ratePerSecond);
      this.#refilledAt = now;
      if (this.#tokens >= 1) {
        this.#tokens -= 1;
        return;
      }
      await sleep(Math.ceil(((1 - this.#tokens) / this.#opts.ratePerSecond) * 1000));
    }
  }
}
