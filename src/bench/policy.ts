// Bench: the per-tool-call policy cost, the gate's decision plus one audit append (target median
// ≤ 0.2 ms), and, for scale, one approval round trip (request, click, consume) on a real SQLite file.
// Run: node src/bench/policy.ts   (or `npm run bench -- policy` once run.ts lists it)

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ApprovalStore,
  Approvals,
  GrantSigner,
  GrantStore,
  hashArgs,
  PolicyGate,
  type VigilUser,
} from "../policy/index.ts";
import { applyMigrations } from "../store/migrate.ts";
import { openDatabase } from "../store/open-database.ts";
import type { Tool } from "../tools/tool.ts";

interface AuditLike {
  append(record: Record<string, unknown>): unknown;
}

interface Args {
  container: string;
  action: "inspect" | "restart";
}

const tool: Tool<Args> = {
  name: "docker.container",
  description: "bench tool",
  inputSchema: { type: "object" },
  parseArgs: (raw) => raw as Args,
  permission: (a) => (a.action === "inspect" ? "read" : "exec"),
  resource: (a) => `docker:container/${a.container}`,
  run: async () => ({ ok: true, output: "" }),
};

const requester: VigilUser = { id: "ana", name: "ana", roles: ["operator"], identities: [] };
const approver: VigilUser = { id: "bob", name: "bob", roles: ["approver"], identities: [] };

/** Median and p99 (ms) of gate+audit per call and of an approval round trip. */
export async function benchPolicy({
  calls = 20_000,
  approvals = 2_000,
} = {}): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), "vigil-bench-policy-"));
  const db = openDatabase(join(dir, "vigil.db"));
  try {
    applyMigrations(db);
    const audit = await loadAudit(db);
    const gate = new PolicyGate();
    const operator = { name: "web-bot", ceiling: "exec", trust: "strict" } as const;
    const source = { kind: "chat", platform: "slack", conversation: "C1" } as const;

    const perCall: number[] = [];
    for (let i = 0; i < calls + 1000; i++) {
      const args: Args = { container: `web-${i % 50}`, action: i % 3 === 0 ? "restart" : "inspect" };
      const t0 = process.hrtime.bigint();
      const d = gate.decide({ operator, tool, args, requester, source });
      audit?.append({
        kind: "tool-call",
        operator: d.operator,
        tool: d.tool,
        decision: d.decision,
        reason: d.reason,
        permission: d.permission,
        resource: d.resource,
        risk: d.risk,
        argsHash: d.argsHash,
        actor: requester.id,
      });
      const dt = Number(process.hrtime.bigint() - t0) / 1e6;
      if (i >= 1000) perCall.push(dt); // first 1000 warm the JIT
    }

    const signer = new GrantSigner({
      keys: [{ id: "bench", secret: "bench-secret-bench-secret-bench-secret" }],
    });
    const grants = new GrantStore({ db, signer });
    const flow = new Approvals({ store: new ApprovalStore({ db }), grants });
    const roundTrip: number[] = [];
    for (let i = 0; i < approvals; i++) {
      const args: Args = { container: `db-${i}`, action: "restart" };
      const t0 = process.hrtime.bigint();
      const call = {
        operator: "web-bot",
        tool: tool.name,
        args,
        resource: tool.resource(args),
        permission: "exec",
        risk: "high",
      } as const;
      const a = flow.request(call, requester, { trust: "strict", requiredApprovals: 1 });
      const r = flow.decide(a.id, "approve", approver);
      if (r.outcome !== "approved") throw new Error(`bench approval ended ${r.outcome}`);
      const c = grants.consume(r.grant, { ...call, argsHash: hashArgs(args) });
      if (!c.ok) throw new Error(`bench grant refused: ${c.reason}`);
      roundTrip.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }

    return {
      calls,
      audit_included: audit ? 1 : 0,
      gate_audit_median_ms: round(quantile(perCall, 0.5)),
      gate_audit_p99_ms: round(quantile(perCall, 0.99)),
      approval_round_trip_median_ms: round(quantile(roundTrip, 0.5)),
      approval_round_trip_p99_ms: round(quantile(roundTrip, 0.99)),
    };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// The audit unit is built by another helper; when it is not there yet the bench measures the gate alone
// (reported as audit_included: 0). The path is a variable so the type checker does not require the module.
async function loadAudit(db: unknown): Promise<AuditLike | undefined> {
  const path = "../audit/index.ts";
  try {
    const mod = (await import(path)) as { AuditLog?: new (o: { db: unknown }) => AuditLike };
    return mod.AuditLog ? new mod.AuditLog({ db }) : undefined;
  } catch (err) {
    if ((err as { code?: string }).code === "ERR_MODULE_NOT_FOUND") return undefined;
    throw err;
  }
}

function quantile(xs: number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function round(ms: number): number {
  return Math.round(ms * 1e4) / 1e4;
}

if (import.meta.main) {
  process.stdout.write(`${JSON.stringify({ bench: "policy", ...(await benchPolicy()) })}\n`);
}
