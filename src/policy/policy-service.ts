// Builds the policy unit from the store and the installation secret: identities, gate, grants
// signed under a key derived from VIGIL_SECRET, approvals and the gated invoker. main.ts and the
// end-to-end tests wire policy the same way through this one function.

import { createHash } from "node:crypto";
import type { Platform } from "../core/chat-adapter.ts";
import type { ChatHub } from "../core/chat-hub.ts";
import type { Db } from "../store/open-database.ts";
import { SecretBox } from "../store/secret-box.ts";
import type { Tool } from "../tools/tool.ts";
import { ApprovalCardRepository } from "./approval-cards.ts";
import { ApprovalStore } from "./approval-store.ts";
import { Approvals } from "./approvals.ts";
import { PolicyGate } from "./gate.ts";
import { type AuditSink, GatedInvoker, type GatedInvokerLog, type InvokerOperator } from "./gated-invoker.ts";
import { GrantSigner, GrantStore, type SigningKey } from "./grants.ts";
import { IdentityDirectory, type UsersConfigInput } from "./identities.ts";

export interface PolicySettings {
  /** Default TTL of a grant, and the hard maximum no request may exceed. */
  grantTtlMs?: number;
  grantMaxTtlMs?: number;
  /** How long an approval card waits for clicks. */
  approvalTtlMs?: number;
  /** Approvers an elevate call needs (N of M). */
  elevateApprovals?: number;
  approvalsChannel?: { platform: Platform; conversation: string };
  toolTimeoutMs?: number;
  /** Overrides every operator's trust mode when set. */
  trust?: "strict" | "lenient";
}

export interface PolicyServiceOptions {
  db: Db;
  /** VIGIL_SECRET, and any previous secrets whose grants must still verify during a rotation. */
  secrets: readonly string[];
  users?: UsersConfigInput;
  settings?: PolicySettings;
  audit: AuditSink;
  redact: (text: string) => string;
  hub: Pick<ChatHub, "post" | "adapter" | "onActionPrefix">;
  resolveCall(operator: string, tool: string): { operator: InvokerOperator; tool: Tool } | undefined;
  log: GatedInvokerLog;
  now?: () => number;
}

/** A grant signing key derived from a secret; its id is a short hash so rotation can tell keys apart. */
export function grantKeyFrom(secret: string): SigningKey {
  const key = SecretBox.deriveKey(secret, "vigil grant signing v1");
  return { id: createHash("sha256").update(key).digest("hex").slice(0, 8), secret: key.toString("hex") };
}

export function createPolicyService(opts: PolicyServiceOptions) {
  const { db, settings = {}, now } = opts;
  const identities = new IdentityDirectory({ db, config: opts.users, now });
  const gate = new PolicyGate({ elevateApprovals: settings.elevateApprovals, channels: identities });
  const grants = new GrantStore({
    db,
    signer: new GrantSigner({ keys: opts.secrets.map(grantKeyFrom) }),
    defaultTtlMs: settings.grantTtlMs,
    maxTtlMs: settings.grantMaxTtlMs,
    now,
  });
  const approvals = new Approvals({
    store: new ApprovalStore({ db }),
    grants,
    approvalTtlMs: settings.approvalTtlMs,
    now,
  });
  const invoker = new GatedInvoker({
    gate,
    approvals,
    grants,
    identities,
    cards: new ApprovalCardRepository({ db }),
    audit: opts.audit,
    redact: opts.redact,
    hub: opts.hub,
    resolveCall: opts.resolveCall,
    approvalsChannel: settings.approvalsChannel,
    toolTimeoutMs: settings.toolTimeoutMs,
    trust: settings.trust,
    log: opts.log,
    now,
  });
  invoker.registerActions(opts.hub);
  return { identities, gate, grants, approvals, invoker };
}

export type PolicyService = ReturnType<typeof createPolicyService>;
