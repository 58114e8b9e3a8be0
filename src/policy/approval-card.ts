// Cards for the approval flow: the Approve/Deny request, its settled form (who decided and when, or
// EXPIRED), and the lenient-mode announcement with a Revoke button.

import type { CardInput, Field } from "../core/card.ts";
import { approveButtonId, denyButtonId, revokeButtonId } from "./action-ids.ts";
import type { Approval } from "./approval-store.ts";
import type { Grant } from "./grants.ts";

/** Redacts secrets from text before it is shown (the audit module's redactor, usually). */
export type Redact = (text: string) => string;

export interface ApprovalCardOptions {
  readonly redact: Redact;
  /** Overrides the outcome line derived from the approval's status. */
  readonly state?: string;
  /** Now, for deciding whether a pending approval has passed its expiry. Default Date.now(). */
  readonly now?: number;
}

/** UTC time as "2025-01-31 14:02:05 UTC". */
export function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** The outcome line for a settled approval, or undefined while it is still open. */
export function approvalState(a: Approval, now = Date.now()): string | undefined {
  if (a.status === "approved") return `Approved by ${a.decidedBy} at ${formatTime(a.decidedAt!)}`;
  if (a.status === "denied") return `Denied by ${a.decidedBy} at ${formatTime(a.decidedAt!)}`;
  if (a.status === "expired" || a.expiresAt <= now) return `EXPIRED at ${formatTime(a.expiresAt)}`;
  return undefined;
}

/** The approval card: the exact (redacted) arguments and every bound field; buttons only while open. */
export function approvalCard(a: Approval, opts: ApprovalCardOptions): CardInput {
  const state = opts.state ?? approvalState(a, opts.now);
  const fields: Field[] = [
    { label: "Operator", value: a.operator },
    { label: "Tool", value: a.tool },
    { label: "Target", value: a.resource },
    { label: "Permission", value: a.permission },
    { label: "Risk", value: a.risk },
    { label: "Requested by", value: a.requester?.name ?? "(system)" },
    { label: "Expires", value: formatTime(a.expiresAt) },
  ];
  if (a.requiredApprovals > 1) {
    fields.push({
      label: "Approvals",
      value: `${a.approvers.length} of ${a.requiredApprovals} (${a.approvers.join(", ") || "none yet"})`,
    });
  }
  const lines = [`Approval needed (${a.trust} trust).`];
  if (a.reason) lines.push("", escapeMarkdown(opts.redact(a.reason)));
  lines.push("", "Arguments:", "", codeBlock(opts.redact(JSON.stringify(a.args, null, 2) ?? "null")));
  return {
    title: `Approve ${a.tool}?`,
    markdown: lines.join("\n"),
    fields,
    buttons: state
      ? []
      : [
          { id: approveButtonId(a.id), label: "Approve", style: "primary" },
          { id: denyButtonId(a.id), label: "Deny", style: "danger" },
        ],
    state,
    tone: a.status === "approved" ? "success" : a.status === "denied" ? "danger" : state ? "info" : "warning",
  };
}

export interface AnnouncementOptions {
  readonly redact: Redact;
  /** The exact arguments the grant is bound to. */
  readonly args: unknown;
  readonly requesterName?: string;
  /** Outcome line, e.g. "Revoked by ana at …"; removes the Revoke button. */
  readonly state?: string;
}

/** Lenient mode: announces an auto-approved call in the thread, with a Revoke button while the grant is open. */
export function grantAnnouncementCard(g: Grant, opts: AnnouncementOptions): CardInput {
  const state =
    opts.state ??
    (g.revokedAt !== undefined ? `Revoked by ${g.revokedBy} at ${formatTime(g.revokedAt)}` : undefined);
  return {
    title: `Auto-approved: ${g.tool}`,
    markdown: [
      "Auto-approved (lenient trust) and audited.",
      "",
      "Arguments:",
      "",
      codeBlock(opts.redact(JSON.stringify(opts.args, null, 2) ?? "null")),
    ].join("\n"),
    fields: [
      { label: "Operator", value: g.operator },
      { label: "Tool", value: g.tool },
      { label: "Target", value: g.resource },
      { label: "Permission", value: g.permission },
      { label: "Requested by", value: opts.requesterName ?? g.requester ?? "(system)" },
      { label: "Expires", value: formatTime(g.expiresAt) },
    ],
    buttons: state ? [] : [{ id: revokeButtonId(g.id), label: "Revoke", style: "danger" }],
    state,
    tone: state ? "info" : "warning",
  };
}

// A fence longer than any backtick run inside, so arguments cannot close it and inject markdown.
function codeBlock(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}json\n${text}\n${fence}`;
}

function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_[\]<>#|~])/g, "\\$1");
}
