// Admin login: a token generated on first run (printed once, stored only as a hash), and
// short-lived signed session cookies for the admin page.

import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { MetaRepository } from "../store/meta-repository.ts";

const TOKEN_HASH_KEY = "admin_token_sha256";
const SESSION_TTL_MS = 12 * 3600_000;

const sha256 = (s: string) => createHash("sha256").update(s).digest();

export class AdminAuth {
  readonly #meta: MetaRepository;
  readonly #cookieKey: Buffer;
  readonly #now: () => number;

  constructor({
    meta,
    cookieKey,
    now = Date.now,
  }: { meta: MetaRepository; cookieKey: Buffer; now?: () => number }) {
    this.#meta = meta;
    this.#cookieKey = cookieKey;
    this.#now = now;
  }

  /** Creates the admin token on first run and returns it (the only time it is known); otherwise undefined. */
  ensureToken(): string | undefined {
    if (this.#meta.get(TOKEN_HASH_KEY)) return undefined;
    return this.resetToken();
  }

  /** Replaces the admin token and returns the new one. */
  resetToken(): string {
    const token = `vgl_${randomBytes(24).toString("base64url")}`;
    this.#meta.set(TOKEN_HASH_KEY, sha256(token).toString("hex"));
    return token;
  }

  /** Constant-time check of a presented admin token. */
  verifyToken(presented: string | undefined): boolean {
    const stored = this.#meta.get(TOKEN_HASH_KEY);
    if (!stored || !presented) return false;
    return timingSafeEqual(sha256(presented), Buffer.from(stored, "hex"));
  }

  /** A cookie value proving a login until it expires. */
  issueSession(): string {
    const expires = String(this.#now() + SESSION_TTL_MS);
    return `${expires}.${this.#sign(expires)}`;
  }

  verifySession(value: string | undefined): boolean {
    if (!value) return false;
    const [expires, mac] = value.split(".");
    if (!expires || !mac || !/^\d+$/.test(expires) || Number(expires) < this.#now()) return false;
    const expected = Buffer.from(this.#sign(expires));
    const given = Buffer.from(mac);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  #sign(value: string): string {
    return createHmac("sha256", this.#cookieKey).update(`admin-session:${value}`).digest("base64url");
  }
}
