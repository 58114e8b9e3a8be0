// The argument hash an approval binds: sha256 of the canonical JSON of the arguments, so the
// same arguments always hash the same, whatever order a model or a parser produced them in.

import { createHash } from "node:crypto";
import { canonicalJson } from "../core/canonical-json.ts";

export { canonicalJson };

export function hashArgs(args: unknown): string {
  return createHash("sha256").update(canonicalJson(args)).digest("hex");
}
