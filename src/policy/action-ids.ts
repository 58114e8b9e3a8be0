// Button ids for policy cards. A button carries only an opaque short id and a verb; the
// approval or grant it names stays on the server (invariant 2).

import { isRandomId } from "./random-id.ts";

export type PolicyAction =
  | { readonly kind: "approval"; readonly approvalId: string; readonly verdict: "approve" | "deny" }
  | { readonly kind: "revoke-grant"; readonly grantId: string };

export const approveButtonId = (approvalId: string) => `ap:${approvalId}:y`;
export const denyButtonId = (approvalId: string) => `ap:${approvalId}:n`;
export const revokeButtonId = (grantId: string) => `gr:${grantId}:revoke`;

/** Parses a policy button id; undefined for anything else (including malformed ids). */
export function parsePolicyAction(actionId: string): PolicyAction | undefined {
  const m = /^(ap|gr):([A-Za-z0-9_-]{16}):(y|n|revoke)$/.exec(actionId);
  if (!m || !isRandomId(m[2])) return undefined;
  if (m[1] === "ap" && m[3] !== "revoke")
    return { kind: "approval", approvalId: m[2], verdict: m[3] === "y" ? "approve" : "deny" };
  if (m[1] === "gr" && m[3] === "revoke") return { kind: "revoke-grant", grantId: m[2] };
  return undefined;
}
