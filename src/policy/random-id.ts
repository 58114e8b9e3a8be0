// Short opaque ids for approvals and grants: 96 random bits, url-safe, 16 chars, so a button id
// like `ap:<id>:y` stays within every platform's callback limit.

import { randomBytes } from "node:crypto";

export function randomId(): string {
  return randomBytes(12).toString("base64url");
}

/** True for an id `randomId` could have produced; anything else is refused before a lookup. */
export function isRandomId(s: string): boolean {
  return /^[A-Za-z0-9_-]{16}$/.test(s);
}
