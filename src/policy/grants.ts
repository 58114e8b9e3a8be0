// JIT grants: HMAC-SHA256-signed, single-use permissions bound to one exact call (operator, tool,
// argument hash, resource, permission, expiry, id), consumed atomically in SQLite (invariant 2).

import { createHmac, timingSafeEqual } from "node:crypto";
import { ErrorCodes, VigilError } from "../core/errors.ts";
import type { Db } from "../store/open-database.ts";
import { canonicalJson } from "./hash-args.ts";
import type { PermissionLevel } from "./permission.ts";
import { cachedPrepare, type Prepare } from "./prepared.ts";
import { isRandomId, randomId } from "./random-id.ts";

/** The exact call a grant authorizes. */
export interface BoundCall {
  readonly operator: string;
  readonly tool: string;
  readonly argsHash: string;
  readonly resource: string;
  readonly permission: PermissionLevel;
}

/** What the signature covers. */
export interface SignedGrantFields extends BoundCall {
  readonly grantId: string;
  readonly expiresAt: number;
}

export interface Grant extends BoundCall {
  readonly id: string;
  readonly keyId: string;
  readonly signature: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
  /** "approved": an approver clicked; "lenient": auto-approved and announced with a Revoke button. */
  readonly mode: "approved" | "lenient";
  readonly approvalId?: string;
  /** The Vigil user the grant was issued for. */
  readonly requester?: string;
  readonly approvedBy: readonly string[];
  readonly consumedAt?: number;
  readonly revokedAt?: number;
  readonly revokedBy?: string;
}

export interface SigningKey {
  /** Short id stored with each grant, so old grants still verify after rotation. */
  readonly id: string;
  /** At least 32 bytes; derive it from VIGIL_SECRET. */
  readonly secret: string | Uint8Array;
}

const KEY_ID = /^[A-Za-z0-9_.-]{1,32}$/;
const MIN_SECRET_BYTES = 32;

/** Signs with the first key; verifies with whichever known key a grant names. */
export class GrantSigner {
  readonly #keys: Map<string, Buffer>;
  readonly #current: string;

  constructor(opts: { keys: readonly SigningKey[] }) {
    if (opts.keys.length === 0) {
      throw new VigilError(ErrorCodes.SECRET_INVALID, "no grant signing key configured; set VIGIL_SECRET");
    }
    this.#keys = new Map();
    for (const k of opts.keys) {
      if (!KEY_ID.test(k.id))
        throw new VigilError(
          ErrorCodes.SECRET_INVALID,
          `grant key id "${k.id}" must be 1-32 chars of [A-Za-z0-9_.-]`,
        );
      if (this.#keys.has(k.id))
        throw new VigilError(ErrorCodes.SECRET_INVALID, `grant key id "${k.id}" is used twice`);
      const secret = Buffer.from(k.secret);
      if (secret.length < MIN_SECRET_BYTES) {
        throw new VigilError(
          ErrorCodes.SECRET_INVALID,
          `grant key "${k.id}" is shorter than ${MIN_SECRET_BYTES} bytes; use a longer secret`,
        );
      }
      this.#keys.set(k.id, secret);
    }
    this.#current = opts.keys[0].id;
  }

  get currentKeyId(): string {
    return this.#current;
  }

  sign(fields: SignedGrantFields): { keyId: string; signature: string } {
    return {
      keyId: this.#current,
      signature: this.#mac(this.#keys.get(this.#current)!, this.#current, fields).toString("base64url"),
    };
  }

  /** "ok", or why not. Compares in constant time. */
  verify(
    fields: SignedGrantFields,
    keyId: string,
    signature: string,
  ): "ok" | "unknown-key" | "bad-signature" {
    const key = this.#keys.get(keyId);
    if (!key) return "unknown-key";
    const expected = this.#mac(key, keyId, fields);
    const given = Buffer.from(signature, "base64url");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return "bad-signature";
    return "ok";
  }

  #mac(key: Buffer, keyId: string, f: SignedGrantFields): Buffer {
    const payload = canonicalJson({
      v: 1,
      kid: keyId,
      grantId: f.grantId,
      operator: f.operator,
      tool: f.tool,
      argsHash: f.argsHash,
      resource: f.resource,
      permission: f.permission,
      expiresAt: f.expiresAt,
    });
    return createHmac("sha256", key).update(payload).digest();
  }
}

export type GrantRefusal =
  | "bad-signature"
  | "unknown-key"
  | "mismatch"
  | "unknown"
  | "revoked"
  | "consumed"
  | "expired";

export type ConsumeResult =
  | { readonly ok: true; readonly grant: Grant }
  | { readonly ok: false; readonly code: GrantRefusal; readonly reason: string };

export type RevokeResult =
  | { readonly ok: true; readonly grant: Grant }
  | {
      readonly ok: false;
      readonly code: "unknown" | "revoked" | "consumed" | "expired";
      readonly reason: string;
    };

export interface IssueRequest extends BoundCall {
  /** Asked-for lifetime; clamped to the store's maximum. Default: the store's default TTL. */
  readonly ttlMs?: number;
  readonly mode: Grant["mode"];
  readonly approvalId?: string;
  readonly requester?: string;
  readonly approvedBy?: readonly string[];
}

/** Nothing may outlive this, whatever the config says. */
export const GRANT_HARD_MAX_TTL_MS = 24 * 60 * 60 * 1000;
export const GRANT_DEFAULT_TTL_MS = 15 * 60 * 1000;

export interface GrantStoreOptions {
  readonly db: Db;
  readonly signer: GrantSigner;
  /** Default 15 min. */
  readonly defaultTtlMs?: number;
  /** Default and hard limit 24 h. */
  readonly maxTtlMs?: number;
  readonly now?: () => number;
}

interface GrantRow {
  id: string;
  key_id: string;
  signature: string;
  operator: string;
  tool: string;
  args_hash: string;
  resource: string;
  permission: PermissionLevel;
  issued_at: number;
  expires_at: number;
  mode: Grant["mode"];
  approval_id: string | null;
  requester: string | null;
  approved_by: string;
  consumed_at: number | null;
  revoked_at: number | null;
  revoked_by: string | null;
}

const BOUND_FIELDS = ["operator", "tool", "argsHash", "resource", "permission"] as const;

/** Issues, consumes (once), revokes and lists grants. */
export class GrantStore {
  readonly #sql: Prepare;
  readonly #signer: GrantSigner;
  readonly #defaultTtl: number;
  readonly #maxTtl: number;
  readonly #now: () => number;
  readonly #insert;
  readonly #consume;
  readonly #get;

  constructor(opts: GrantStoreOptions) {
    this.#sql = cachedPrepare(opts.db);
    this.#signer = opts.signer;
    this.#maxTtl = opts.maxTtlMs ?? GRANT_HARD_MAX_TTL_MS;
    this.#defaultTtl = opts.defaultTtlMs ?? Math.min(GRANT_DEFAULT_TTL_MS, this.#maxTtl);
    if (!(this.#maxTtl > 0 && this.#maxTtl <= GRANT_HARD_MAX_TTL_MS)) {
      throw new VigilError(
        ErrorCodes.CONFIG_INVALID,
        `the grant max TTL must be between 1 ms and 24 h, got ${this.#maxTtl} ms`,
      );
    }
    if (!(this.#defaultTtl > 0 && this.#defaultTtl <= this.#maxTtl)) {
      throw new VigilError(
        ErrorCodes.CONFIG_INVALID,
        `the grant default TTL must be positive and at most the max TTL (${this.#maxTtl} ms)`,
      );
    }
    this.#now = opts.now ?? Date.now;
    this.#insert = this.#sql(
      `INSERT INTO policy_grants (id, key_id, signature, operator, tool, args_hash, resource, permission, issued_at,
         expires_at, mode, approval_id, requester, approved_by)
       VALUES (@id, @keyId, @signature, @operator, @tool, @argsHash, @resource, @permission, @issuedAt,
         @expiresAt, @mode, @approvalId, @requester, @approvedBy)`,
    );
    // The single statement that spends a grant: every bound field, the signature, unspent, unrevoked, unexpired.
    this.#consume = this.#sql(
      `UPDATE policy_grants SET consumed_at = @now
       WHERE id = @id AND consumed_at IS NULL AND revoked_at IS NULL AND expires_at > @now
         AND key_id = @keyId AND signature = @signature AND expires_at = @expiresAt
         AND operator = @operator AND tool = @tool AND args_hash = @argsHash
         AND resource = @resource AND permission = @permission`,
    );
    this.#get = this.#sql("SELECT * FROM policy_grants WHERE id = ?");
  }

  /** Signs and stores a grant for exactly this call. */
  issue(req: IssueRequest): Grant {
    const ttl = req.ttlMs ?? this.#defaultTtl;
    if (!(ttl > 0)) throw new VigilError(ErrorCodes.USAGE, `a grant TTL must be positive, got ${ttl} ms`);
    const issuedAt = this.#now();
    const id = randomId();
    const fields: SignedGrantFields = {
      grantId: id,
      operator: req.operator,
      tool: req.tool,
      argsHash: req.argsHash,
      resource: req.resource,
      permission: req.permission,
      expiresAt: issuedAt + Math.min(ttl, this.#maxTtl),
    };
    const { keyId, signature } = this.#signer.sign(fields);
    const grant: Grant = {
      id,
      keyId,
      signature,
      operator: fields.operator,
      tool: fields.tool,
      argsHash: fields.argsHash,
      resource: fields.resource,
      permission: fields.permission,
      issuedAt,
      expiresAt: fields.expiresAt,
      mode: req.mode,
      approvalId: req.approvalId,
      requester: req.requester,
      approvedBy: [...(req.approvedBy ?? [])],
    };
    this.#insert.run({
      ...grant,
      approvalId: grant.approvalId ?? null,
      requester: grant.requester ?? null,
      approvedBy: JSON.stringify(grant.approvedBy),
    });
    return grant;
  }

  /**
   * Spends the grant for `call`, once. Refuses a forged or unknown-key signature, any bound field that
   * differs from the call, and a grant that is unknown, revoked, already used or expired.
   */
  consume(grant: Grant, call: BoundCall): ConsumeResult {
    const verdict = this.#signer.verify(signedFields(grant), grant.keyId, grant.signature);
    if (verdict === "unknown-key") {
      return refuse("unknown-key", `the grant was signed with key "${grant.keyId}", which is not configured`);
    }
    if (verdict === "bad-signature") return refuse("bad-signature", "the grant's signature is invalid");
    for (const f of BOUND_FIELDS) {
      if (grant[f] !== call[f]) {
        const what = f === "argsHash" ? "different arguments" : `${f} ${grant[f]}`;
        const got = f === "argsHash" ? "these arguments" : `${f} ${call[f]}`;
        return refuse("mismatch", `the grant is for ${what}, not ${got}; ask for approval again`);
      }
    }
    const now = this.#now();
    const changes = this.#consume.run({
      now,
      id: grant.id,
      keyId: grant.keyId,
      signature: grant.signature,
      expiresAt: grant.expiresAt,
      operator: call.operator,
      tool: call.tool,
      argsHash: call.argsHash,
      resource: call.resource,
      permission: call.permission,
    }).changes;
    const row = this.get(grant.id);
    if (changes === 1 && row) return { ok: true, grant: row };
    if (!row) return refuse("unknown", "the grant is unknown");
    if (row.revokedAt !== undefined)
      return refuse("revoked", `the grant was revoked by ${row.revokedBy} at ${iso(row.revokedAt)}`);
    if (row.consumedAt !== undefined)
      return refuse("consumed", `the grant was already used at ${iso(row.consumedAt)}`);
    if (row.expiresAt <= now)
      return refuse("expired", `the grant expired at ${iso(row.expiresAt)}; ask for approval again`);
    return refuse("mismatch", "the grant does not match the stored grant");
  }

  /** Revokes an unspent grant. Who may revoke is the caller's check (see Approvals.revokeGrant). */
  revoke(grantId: string, by: string): RevokeResult {
    const now = this.#now();
    const changes = this.#sql(
      `UPDATE policy_grants SET revoked_at = ?, revoked_by = ?
         WHERE id = ? AND consumed_at IS NULL AND revoked_at IS NULL AND expires_at > ?`,
    ).run(now, by, grantId, now).changes;
    const row = this.get(grantId);
    if (!row) return { ok: false, code: "unknown", reason: "the grant is unknown" };
    if (changes === 1) return { ok: true, grant: row };
    if (row.revokedAt !== undefined) {
      return {
        ok: false,
        code: "revoked",
        reason: `already revoked by ${row.revokedBy} at ${iso(row.revokedAt)}`,
      };
    }
    if (row.consumedAt !== undefined) {
      return {
        ok: false,
        code: "consumed",
        reason: `too late: the grant was used at ${iso(row.consumedAt)}`,
      };
    }
    return { ok: false, code: "expired", reason: `the grant already expired at ${iso(row.expiresAt)}` };
  }

  get(grantId: string): Grant | undefined {
    if (!isRandomId(grantId)) return undefined;
    const row = this.#get.get(grantId) as GrantRow | undefined;
    return row ? fromRow(row) : undefined;
  }

  /** Grants that are neither used, revoked nor expired, soonest expiry first. */
  listActive(): Grant[] {
    const rows = this.#sql(
      `SELECT * FROM policy_grants WHERE consumed_at IS NULL AND revoked_at IS NULL AND expires_at > ?
         ORDER BY expires_at`,
    ).all(this.#now()) as GrantRow[];
    return rows.map(fromRow);
  }
}

function signedFields(g: Grant): SignedGrantFields {
  return {
    grantId: g.id,
    operator: g.operator,
    tool: g.tool,
    argsHash: g.argsHash,
    resource: g.resource,
    permission: g.permission,
    expiresAt: g.expiresAt,
  };
}

function refuse(code: GrantRefusal, reason: string): ConsumeResult {
  return { ok: false, code, reason };
}

function fromRow(r: GrantRow): Grant {
  return {
    id: r.id,
    keyId: r.key_id,
    signature: r.signature,
    operator: r.operator,
    tool: r.tool,
    argsHash: r.args_hash,
    resource: r.resource,
    permission: r.permission,
    issuedAt: r.issued_at,
    expiresAt: r.expires_at,
    mode: r.mode,
    approvalId: r.approval_id ?? undefined,
    requester: r.requester ?? undefined,
    approvedBy: JSON.parse(r.approved_by) as string[],
    consumedAt: r.consumed_at ?? undefined,
    revokedAt: r.revoked_at ?? undefined,
    revokedBy: r.revoked_by ?? undefined,
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
