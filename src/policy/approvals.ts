// The approval flow: a call that needs approval becomes a pending row; approver clicks are checked
// (invariant 3) and the final one issues a signed single-use grant bound to the exact call (invariant 2).

import { ErrorCodes, VigilError } from "../core/errors.ts";
import { parsePolicyAction } from "./action-ids.ts";
import type { Approval, ApprovalStore } from "./approval-store.ts";
import type { Grant, GrantStore, RevokeResult } from "./grants.ts";
import { hashArgs } from "./hash-args.ts";
import { hasRole, type VigilUser } from "./identities.ts";
import type { PermissionLevel } from "./permission.ts";
import { randomId } from "./random-id.ts";
import type { Risk } from "./risk.ts";
import type { TrustMode } from "./trust.ts";

/** The call to approve: usually `{ ...gateDecision, args }`. The argument hash is recomputed here. */
export interface ApprovalCall {
  readonly operator: string;
  readonly tool: string;
  readonly args: unknown;
  readonly resource: string;
  readonly permission: PermissionLevel;
  readonly risk: Risk;
  readonly reason?: string;
}

export interface RequestOptions {
  readonly trust: TrustMode;
  /** Distinct approvers needed (the gate's `requiredApprovals`). */
  readonly requiredApprovals: number;
  /** How long the card waits; default the service's approval TTL. */
  readonly ttlMs?: number;
  /** Stored as JSON and returned with the approval (e.g. the card's MessageRef). */
  readonly context?: unknown;
}

export type DecideRefusal = "unknown" | "decided" | "not-approver" | "self-approval" | "already-voted";

export type DecideResult =
  /** Final approval: run the call with this grant (consume it first). */
  | { readonly outcome: "approved"; readonly approval: Approval; readonly grant: Grant }
  /** Counted, but N-of-M needs more approvers. */
  | {
      readonly outcome: "pending";
      readonly approval: Approval;
      readonly votes: number;
      readonly required: number;
    }
  | { readonly outcome: "denied"; readonly approval: Approval }
  /** Too late: now marked expired; update the card to EXPIRED. */
  | { readonly outcome: "expired"; readonly approval: Approval }
  /** Nothing changed. Tell the clicker `reason` (ephemerally where the platform can). */
  | {
      readonly outcome: "refused";
      readonly code: DecideRefusal;
      readonly reason: string;
      readonly approval?: Approval;
    };

export type RevokeGrantResult =
  | RevokeResult
  | { readonly ok: false; readonly code: "not-allowed"; readonly reason: string };

export type ActionResult =
  | ({ readonly kind: "approval" } & DecideResult)
  | ({ readonly kind: "revoke-grant" } & RevokeGrantResult)
  | { readonly kind: "unknown"; readonly reason: string };

export interface ApprovalsOptions {
  readonly store: ApprovalStore;
  /** Should share the store's database connection, so a final approval and its grant commit together. */
  readonly grants: GrantStore;
  /** How long a request waits for clicks. Default 30 min. */
  readonly approvalTtlMs?: number;
  /** Lifetime of the grant an approval issues (clamped by the GrantStore). Default: the store's default. */
  readonly grantTtlMs?: number;
  readonly now?: () => number;
}

export const APPROVAL_DEFAULT_TTL_MS = 30 * 60 * 1000;

export class Approvals {
  readonly #store: ApprovalStore;
  readonly #grants: GrantStore;
  readonly #ttl: number;
  readonly #grantTtl: number | undefined;
  readonly #now: () => number;

  constructor(opts: ApprovalsOptions) {
    this.#store = opts.store;
    this.#grants = opts.grants;
    this.#ttl = opts.approvalTtlMs ?? APPROVAL_DEFAULT_TTL_MS;
    this.#grantTtl = opts.grantTtlMs;
    this.#now = opts.now ?? Date.now;
  }

  /** Stores a pending approval for exactly this call. Its `id` goes into the card's buttons. */
  request(call: ApprovalCall, requester: VigilUser | undefined, opts: RequestOptions): Approval {
    if (!Number.isInteger(opts.requiredApprovals) || opts.requiredApprovals < 1) {
      throw new VigilError(
        ErrorCodes.USAGE,
        `requiredApprovals must be an integer ≥ 1, got ${opts.requiredApprovals}`,
      );
    }
    const ttl = opts.ttlMs ?? this.#ttl;
    if (!(ttl > 0)) throw new VigilError(ErrorCodes.USAGE, `an approval TTL must be positive, got ${ttl} ms`);
    const now = this.#now();
    return this.#store.insert({
      id: randomId(),
      operator: call.operator,
      tool: call.tool,
      args: call.args,
      argsHash: hashArgs(call.args),
      resource: call.resource,
      permission: call.permission,
      risk: call.risk,
      trust: opts.trust,
      requiredApprovals: opts.requiredApprovals,
      requester: requester ? { id: requester.id, name: requester.name } : undefined,
      reason: call.reason,
      context: opts.context,
      createdAt: now,
      expiresAt: now + ttl,
    });
  }

  /**
   * Applies one click. `clicker` must come from the verified platform payload (resolved by the
   * IdentityDirectory), never from message text. Runs in one IMMEDIATE transaction, so a double click
   * or a replay (even from another process) settles the approval once.
   */
  decide(approvalId: string, verdict: "approve" | "deny", clicker: VigilUser | undefined): DecideResult {
    const run = this.#store.db.transaction((): DecideResult => {
      const now = this.#now();
      const a = this.#store.get(approvalId);
      if (!a) {
        return refused(
          "unknown",
          "this approval does not exist (the button is forged or from another Vigil)",
        );
      }
      if (a.status !== "pending") return refused("decided", settledText(a), a);
      if (a.expiresAt <= now) {
        this.#store.expireOne(a.id, now);
        return { outcome: "expired", approval: this.#store.get(a.id)! };
      }
      const isRequester = clicker !== undefined && a.requester?.id === clicker.id;
      if (verdict === "deny") {
        // The requester may withdraw their own request; anyone else needs the approver role.
        if (!hasRole(clicker, "approver") && !isRequester)
          return refused("not-approver", notApproverText(clicker), a);
        this.#store.settle(a.id, "denied", clicker!.name, now);
        return { outcome: "denied", approval: this.#store.get(a.id)! };
      }
      if (!hasRole(clicker, "approver")) return refused("not-approver", notApproverText(clicker), a);
      if (a.trust === "strict" && isRequester) {
        return refused(
          "self-approval",
          "you asked for this call; in strict mode another approver must approve it",
          a,
        );
      }
      if (!this.#store.addVote(a.id, clicker!.name, now)) {
        const left = a.requiredApprovals - a.approvers.length;
        return refused(
          "already-voted",
          `you already approved; ${left} more approver${left === 1 ? "" : "s"} needed`,
          a,
        );
      }
      const approvers = [...a.approvers, clicker!.name];
      if (approvers.length < a.requiredApprovals) {
        return {
          outcome: "pending",
          approval: this.#store.get(a.id)!,
          votes: approvers.length,
          required: a.requiredApprovals,
        };
      }
      const grant = this.#grants.issue({
        operator: a.operator,
        tool: a.tool,
        argsHash: a.argsHash,
        resource: a.resource,
        permission: a.permission,
        ttlMs: this.#grantTtl,
        mode: "approved",
        approvalId: a.id,
        requester: a.requester?.id,
        approvedBy: approvers,
      });
      this.#store.settle(a.id, "approved", approvers.join(", "), now, grant.id);
      return { outcome: "approved", approval: this.#store.get(a.id)!, grant };
    });
    return run.immediate();
  }

  /**
   * Lenient trust: issues a grant for the call at once. The caller audits it, announces it with
   * `grantAnnouncementCard` (Revoke button), and consumes it to run the call.
   */
  autoApprove(call: ApprovalCall, requester: VigilUser | undefined, opts: { ttlMs?: number } = {}): Grant {
    return this.#grants.issue({
      operator: call.operator,
      tool: call.tool,
      argsHash: hashArgs(call.args),
      resource: call.resource,
      permission: call.permission,
      ttlMs: opts.ttlMs ?? this.#grantTtl,
      mode: "lenient",
      requester: requester?.id,
    });
  }

  /** Revoke (command or button): approvers, admins and the grant's own requester may revoke. */
  revokeGrant(grantId: string, user: VigilUser | undefined): RevokeGrantResult {
    const grant = this.#grants.get(grantId);
    if (!grant) return { ok: false, code: "unknown", reason: "this grant does not exist" };
    const own = user !== undefined && grant.requester === user.id;
    if (!hasRole(user, "approver") && !own) {
      return {
        ok: false,
        code: "not-allowed",
        reason: "only an approver, an admin or the requester may revoke this grant",
      };
    }
    return this.#grants.revoke(grantId, user!.name);
  }

  /** Dispatches a clicked policy button id (`ap:<id>:y|n`, `gr:<id>:revoke`). */
  handleAction(actionId: string, clicker: VigilUser | undefined): ActionResult {
    const action = parsePolicyAction(actionId);
    if (!action) return { kind: "unknown", reason: "this button is not a Vigil policy button" };
    if (action.kind === "approval")
      return { kind: "approval", ...this.decide(action.approvalId, action.verdict, clicker) };
    return { kind: "revoke-grant", ...this.revokeGrant(action.grantId, clicker) };
  }

  /** Marks overdue pending approvals expired and returns them, so their cards can show EXPIRED. */
  expireDue(now = this.#now()): Approval[] {
    return this.#store.expireDue(now);
  }

  get(approvalId: string): Approval | undefined {
    return this.#store.get(approvalId);
  }

  listPending(): Approval[] {
    return this.#store.listPending();
  }
}

function refused(code: DecideRefusal, reason: string, approval?: Approval): DecideResult {
  return { outcome: "refused", code, reason, approval };
}

function notApproverText(clicker: VigilUser | undefined): string {
  return clicker
    ? `${clicker.name} does not have the approver role; ask an admin to grant it`
    : "you are not a known Vigil user; ask an admin to link your account";
}

function settledText(a: Approval): string {
  const at = a.decidedAt === undefined ? "" : ` at ${new Date(a.decidedAt).toISOString()}`;
  if (a.status === "expired") return `this approval expired${at}`;
  return `already ${a.status} by ${a.decidedBy}${at}`;
}
