// Collects a tool's output up to a byte cap and says so when it cut the rest.

/** Appends chunks until `maxBytes`; later bytes are counted but dropped. */
export class CappedOutput {
  readonly maxBytes: number;
  #chunks: Buffer[] = [];
  #kept = 0;
  #seen = 0;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  push(chunk: Buffer | string): void {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    this.#seen += buf.length;
    const room = this.maxBytes - this.#kept;
    if (room <= 0) return;
    const part = buf.length > room ? buf.subarray(0, room) : buf;
    this.#chunks.push(part);
    this.#kept += part.length;
  }

  get truncated(): boolean {
    return this.#seen > this.#kept;
  }

  /** Total bytes offered, kept or not. */
  get totalBytes(): number {
    return this.#seen;
  }

  /** The kept text, with a note when bytes were dropped. */
  text(): string {
    const body = Buffer.concat(this.#chunks).toString("utf8");
    if (!this.truncated) return body;
    return `${body}\n[output truncated: showed ${this.#kept} of ${this.#seen} bytes]`;
  }
}
