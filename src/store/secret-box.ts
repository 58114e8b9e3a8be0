// Credentials at rest: AES-256-GCM under a key derived (HKDF-SHA256) from VIGIL_SECRET.
// Each sealed value names the key id it was sealed with, so secrets can rotate.

import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from "node:crypto";
import { ErrorCodes, VigilError } from "../core/errors.ts";

const VERSION = "v1";

export class SecretBox {
  /** Short id of the key, derived from the secret itself (never reveals it). */
  readonly keyId: string;
  readonly #key: Buffer;

  constructor(secret: string) {
    if (secret.length < 16) {
      throw new VigilError(
        ErrorCodes.SECRET_INVALID,
        "VIGIL_SECRET is too short: use at least 16 characters (32 random bytes recommended)",
      );
    }
    this.#key = Buffer.from(hkdfSync("sha256", secret, "vigil", "vigil secrets at rest v1", 32));
    this.keyId = createHash("sha256").update(this.#key).digest("base64url").slice(0, 8);
  }

  /** Derives a key for another purpose (HMAC for grants, cookies) from the same secret. */
  static deriveKey(secret: string, purpose: string): Buffer {
    return Buffer.from(hkdfSync("sha256", secret, "vigil", purpose, 32));
  }

  seal(plaintext: string, associatedData = ""): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.#key, iv);
    cipher.setAAD(Buffer.from(associatedData));
    const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [
      VERSION,
      this.keyId,
      iv.toString("base64url"),
      tag.toString("base64url"),
      ct.toString("base64url"),
    ].join(":");
  }

  /** Opens a sealed value; `what` names it in the error when this secret cannot. */
  open(sealed: string, what: string, associatedData = ""): string {
    const [version, keyId, iv, tag, ct] = sealed.split(":");
    if (version !== VERSION || !iv || !tag || ct === undefined) {
      throw new VigilError(ErrorCodes.SECRET_MISMATCH, `${what} is not a sealed value Vigil understands`);
    }
    if (keyId !== this.keyId) {
      throw new VigilError(
        ErrorCodes.SECRET_MISMATCH,
        `${what} was sealed with key ${keyId}, but the current VIGIL_SECRET is key ${this.keyId}: start Vigil with the secret this data was created with`,
      );
    }
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.#key, Buffer.from(iv, "base64url"));
      decipher.setAAD(Buffer.from(associatedData));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(ct, "base64url")), decipher.final()]).toString(
        "utf8",
      );
    } catch (err) {
      throw new VigilError(
        ErrorCodes.SECRET_MISMATCH,
        `${what} could not be decrypted with the current VIGIL_SECRET`,
        {
          cause: err,
        },
      );
    }
  }
}
