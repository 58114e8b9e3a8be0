// SQLite rows for approval requests and their votes. The Approvals service owns the rules;
// this owns the statements, including the conditional updates that make a decision happen once.

import type { Db } from "../store/open-database.ts";
import type { PermissionLevel } from "./permission.ts";
import { cachedPrepare, type Prepare } from "./prepared.ts";
import { isRandomId } from "./random-id.ts";
import type { Risk } from "./risk.ts";
import type { TrustMode } from "./trust.ts";

export type ApprovalStatus = "pending" | "approved" | "denied" | "expired";

export interface Approval {
  readonly id: string;
  readonly operator: string;
  readonly tool: string;
  /** The exact parsed arguments; redact before showing them. */
  readonly args: unknown;
  readonly argsHash: string;
  readonly resource: string;
  readonly permission: PermissionLevel;
  readonly risk: Risk;
  readonly trust: TrustMode;
  readonly requiredApprovals: number;
  readonly requester?: { readonly id: string; readonly name: string };
  /** The gate's reason, shown on the card. */
  readonly reason?: string;
  /** Whatever the caller stored with the request (e.g. where the card was posted). */
  readonly context?: unknown;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly status: ApprovalStatus;
  /** Distinct approvers so far, in click order. */
  readonly approvers: readonly string[];
  /** Who settled it: the approver(s), the denier; undefined while pending and for expiry. */
  readonly decidedBy?: string;
  readonly decidedAt?: number;
  readonly grantId?: string;
}

export type NewApproval = Omit<Approval, "status" | "approvers" | "decidedBy" | "decidedAt" | "grantId">;

interface Row {
  id: string;
  operator: string;
  tool: string;
  args_json: string;
  args_hash: string;
  resource: string;
  permission: PermissionLevel;
  risk: Risk;
  trust: TrustMode;
  required_approvals: number;
  requester_id: string | null;
  requester_name: string | null;
  reason: string | null;
  context: string | null;
  created_at: number;
  expires_at: number;
  status: ApprovalStatus;
  decided_by: string | null;
  decided_at: number | null;
  grant_id: string | null;
}

/** Approval rows. Every write that settles an approval is conditional on it still being pending. */
export class ApprovalStore {
  readonly db: Db;
  readonly #sql: Prepare;
  readonly #get;
  readonly #votes;

  constructor(opts: { db: Db }) {
    this.db = opts.db;
    this.#sql = cachedPrepare(this.db);
    this.#get = this.#sql("SELECT * FROM policy_approvals WHERE id = ?");
    this.#votes = this.#sql(
      "SELECT approver FROM policy_approval_votes WHERE approval_id = ? ORDER BY voted_at, rowid",
    );
  }

  insert(a: NewApproval): Approval {
    this.#sql(
      `INSERT INTO policy_approvals (id, operator, tool, args_json, args_hash, resource, permission, risk, trust,
           required_approvals, requester_id, requester_name, reason, context, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      a.id,
      a.operator,
      a.tool,
      JSON.stringify(a.args),
      a.argsHash,
      a.resource,
      a.permission,
      a.risk,
      a.trust,
      a.requiredApprovals,
      a.requester?.id ?? null,
      a.requester?.name ?? null,
      a.reason ?? null,
      a.context === undefined ? null : JSON.stringify(a.context),
      a.createdAt,
      a.expiresAt,
    );
    return this.get(a.id)!;
  }

  get(id: string): Approval | undefined {
    if (!isRandomId(id)) return undefined;
    const row = this.#get.get(id) as Row | undefined;
    return row ? this.#fromRow(row) : undefined;
  }

  /** Records one approver's vote; false when that person already voted. */
  addVote(id: string, approver: string, at: number): boolean {
    return (
      this.#sql(
        "INSERT OR IGNORE INTO policy_approval_votes (approval_id, approver, voted_at) VALUES (?, ?, ?)",
      ).run(id, approver, at).changes === 1
    );
  }

  /** Settles a pending approval; false when it was no longer pending (someone else got there first). */
  settle(id: string, status: "approved" | "denied", by: string, at: number, grantId?: string): boolean {
    return (
      this.#sql(
        `UPDATE policy_approvals SET status = ?, decided_by = ?, decided_at = ?, grant_id = ?
           WHERE id = ? AND status = 'pending'`,
      ).run(status, by, at, grantId ?? null, id).changes === 1
    );
  }

  /** Marks every pending approval whose expiry has passed as expired; returns them. */
  expireDue(now: number): Approval[] {
    const rows = this.#sql(
      `UPDATE policy_approvals SET status = 'expired', decided_at = expires_at
         WHERE status = 'pending' AND expires_at <= ? RETURNING *`,
    ).all(now) as Row[];
    return rows.map((r) => this.#fromRow(r));
  }

  /** Marks one approval expired if it is pending and past its expiry. */
  expireOne(id: string, now: number): boolean {
    return (
      this.#sql(
        `UPDATE policy_approvals SET status = 'expired', decided_at = expires_at
           WHERE id = ? AND status = 'pending' AND expires_at <= ?`,
      ).run(id, now).changes === 1
    );
  }

  listPending(): Approval[] {
    const rows = this.#sql(
      "SELECT * FROM policy_approvals WHERE status = 'pending' ORDER BY created_at",
    ).all() as Row[];
    return rows.map((r) => this.#fromRow(r));
  }

  #fromRow(r: Row): Approval {
    return {
      id: r.id,
      operator: r.operator,
      tool: r.tool,
      args: JSON.parse(r.args_json),
      argsHash: r.args_hash,
      resource: r.resource,
      permission: r.permission,
      risk: r.risk,
      trust: r.trust,
      requiredApprovals: r.required_approvals,
      requester:
        r.requester_id === null
          ? undefined
          : { id: r.requester_id, name: r.requester_name ?? r.requester_id },
      reason: r.reason ?? undefined,
      context: r.context === null ? undefined : JSON.parse(r.context),
      createdAt: r.created_at,
      expiresAt: r.expires_at,
      status: r.status,
      approvers: (this.#votes.all(r.id) as { approver: string }[]).map((v) => v.approver),
      decidedBy: r.decided_by ?? undefined,
      decidedAt: r.decided_at ?? undefined,
      grantId: r.grant_id ?? undefined,
    };
  }
}
