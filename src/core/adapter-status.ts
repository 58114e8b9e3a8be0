// Tracks one adapter's connection state for /healthz and the admin page.

import type { AdapterState, AdapterStatus, Platform } from "./chat-adapter.ts";

export class AdapterStatusTracker {
  #status: AdapterStatus;
  constructor(platform: Platform) {
    this.#status = { platform, state: "stopped", since: new Date() };
  }

  /** Moves to `state`; `since` changes only when the state does, and an error is kept until the next success. */
  set(state: AdapterState, error?: unknown): void {
    const lastError = error === undefined ? this.#status.lastError : describeError(error);
    const since = state === this.#status.state ? this.#status.since : new Date();
    this.#status = { platform: this.#status.platform, state, since, lastError };
  }

  get(): AdapterStatus {
    return this.#status;
  }
}

function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
