// Approvals under attack: forged and replayed button ids, clicks by non-approvers and by the
// requester in strict mode, N-of-M counting people, expiry, restarts and racing double clicks.

import assert from "node:assert/strict";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { createCard } from "../core/card.ts";
import { approveButtonId, denyButtonId, parsePolicyAction, revokeButtonId } from "./action-ids.ts";
import { approvalCard, grantAnnouncementCard } from "./approval-card.ts";
import { ApprovalStore } from "./approval-store.ts";
import type { ApprovalCall, DecideResult } from "./approvals.ts";
import { PolicyGate } from "./gate.ts";
import type { BoundCall } from "./grants.ts";
import { hashArgs } from "./hash-args.ts";
import {
  ana,
  bob,
  cat,
  dan,
  eve,
  type PolicyRig,
  policyRig,
  race,
  shellTool,
  tempDir,
  vic,
} from "./policy-test-kit.ts";

const args = { host: "web", command: "systemctl restart nginx" };
const call: ApprovalCall = {
  operator: "web-bot",
  tool: "ssh.exec",
  args,
  resource: "ssh:web",
  permission: "exec",
  risk: "high",
  reason: "exec needs approval",
};
const bound = (c: ApprovalCall): BoundCall => ({ ...c, argsHash: hashArgs(c.args) });
const strict = { trust: "strict", requiredApprovals: 1 } as const;
const redact = (s: string) => s.replaceAll(/hunter2/g, "[REDACTED]");

function expectRefused(r: DecideResult, code: string): void {
  assert.equal(r.outcome, "refused", JSON.stringify(r));
  assert.equal(r.outcome === "refused" && r.code, code);
}

describe("approvals", () => {
  const tmp = tempDir();
  let n = 0;
  const rigs: PolicyRig[] = [];
  const fresh = (): PolicyRig => {
    const rig = policyRig(join(tmp.dir, `a${n++}.db`));
    rigs.push(rig);
    return rig;
  };
  after(() => {
    for (const r of rigs) if (r.db.open) r.db.close();
    tmp.cleanup();
  });

  it("issues a grant bound to the exact call on approval, usable once", () => {
    const { approvals, grants } = fresh();
    const a = approvals.request(call, ana, strict);
    assert.match(a.id, /^[A-Za-z0-9_-]{16}$/);
    const r = approvals.decide(a.id, "approve", bob);
    assert.equal(r.outcome, "approved");
    if (r.outcome !== "approved") return;
    assert.equal(r.approval.decidedBy, "bob");
    assert.equal(r.grant.argsHash, hashArgs(args));
    assert.equal(r.grant.resource, "ssh:web");
    assert.equal(grants.consume(r.grant, bound(call)).ok, true);
    assert.equal(grants.consume(r.grant, bound(call)).ok, false);
  });

  it("binds the arguments: a grant for one call does not run a changed one", () => {
    const { approvals, grants } = fresh();
    const a = approvals.request(call, ana, strict);
    const r = approvals.decide(a.id, "approve", bob);
    assert.equal(r.outcome, "approved");
    if (r.outcome !== "approved") return;
    const changed = bound({ ...call, args: { ...args, command: "rm -rf /" } });
    assert.equal(grants.consume(r.grant, changed).ok, false);
    const elsewhere = bound({ ...call, resource: "ssh:db" });
    assert.equal(grants.consume(r.grant, elsewhere).ok, false);
  });

  it("refuses a forged approval id and any malformed button", () => {
    const { approvals } = fresh();
    approvals.request(call, ana, strict);
    expectRefused(approvals.decide("AAAAAAAAAAAAAAAA", "approve", bob), "unknown");
    expectRefused(approvals.decide("' OR 1=1 --", "approve", bob), "unknown");
    for (const id of [
      "ap:short:y",
      "ap:AAAAAAAAAAAAAAAA:x",
      "gr:AAAAAAAAAAAAAAAA:y",
      "xx:AAAAAAAAAAAAAAAA:y",
      "",
    ]) {
      assert.equal(parsePolicyAction(id), undefined, id);
      assert.equal(approvals.handleAction(id, bob).kind, "unknown");
    }
  });

  it("runs a replayed or double click once and names who decided", () => {
    const { approvals } = fresh();
    const a = approvals.request(call, ana, strict);
    const first = approvals.handleAction(approveButtonId(a.id), bob);
    assert.equal(first.kind === "approval" && first.outcome, "approved");
    for (const clicker of [bob, cat]) {
      for (const id of [approveButtonId(a.id), denyButtonId(a.id)]) {
        const again = approvals.handleAction(id, clicker);
        assert.equal(again.kind === "approval" && again.outcome, "refused");
        assert.match(
          again.kind === "approval" && again.outcome === "refused" ? again.reason : "",
          /already approved by bob/,
        );
      }
    }
  });

  it("refuses clicks by non-approvers and unknown users, approve or deny", () => {
    const { approvals } = fresh();
    const a = approvals.request(call, dan, strict);
    for (const clicker of [vic, eve, ana, undefined]) {
      expectRefused(approvals.decide(a.id, "approve", clicker), "not-approver");
      expectRefused(approvals.decide(a.id, "deny", clicker), "not-approver");
    }
    assert.equal(approvals.get(a.id)?.status, "pending");
  });

  it("refuses the requester approving their own call in strict mode, but lets them withdraw it", () => {
    const { approvals } = fresh();
    const a = approvals.request(call, dan, strict);
    expectRefused(approvals.decide(a.id, "approve", dan), "self-approval");
    assert.equal(approvals.get(a.id)?.status, "pending");
    assert.equal(approvals.decide(a.id, "approve", bob).outcome, "approved");
    const b = approvals.request(call, ana, strict);
    const w = approvals.decide(b.id, "deny", ana);
    assert.equal(w.outcome, "denied");
  });

  it("lets a requester who is an approver approve in lenient mode", () => {
    const { approvals } = fresh();
    const a = approvals.request(call, dan, { trust: "lenient", requiredApprovals: 1 });
    assert.equal(approvals.decide(a.id, "approve", dan).outcome, "approved");
  });

  it("needs N distinct approvers for elevate; the same approver twice counts once", () => {
    const { approvals } = fresh();
    const a = approvals.request({ ...call, permission: "elevate", risk: "critical" }, ana, {
      trust: "strict",
      requiredApprovals: 2,
    });
    const one = approvals.decide(a.id, "approve", bob);
    assert.equal(one.outcome, "pending");
    assert.equal(one.outcome === "pending" && one.votes, 1);
    expectRefused(approvals.decide(a.id, "approve", bob), "already-voted");
    assert.equal(approvals.get(a.id)?.status, "pending");
    const two = approvals.decide(a.id, "approve", cat);
    assert.equal(two.outcome, "approved");
    assert.equal(two.outcome === "approved" && two.approval.decidedBy, "bob, cat");
    assert.deepEqual(two.outcome === "approved" && two.grant.approvedBy, ["bob", "cat"]);
  });

  it("settles a row only while it is pending, whoever calls the store", () => {
    const rig = fresh();
    const a = rig.approvals.request(call, ana, strict);
    const store = new ApprovalStore({ db: rig.db });
    assert.equal(store.settle(a.id, "denied", "bob", rig.clock.now), true);
    assert.equal(store.settle(a.id, "approved", "cat", rig.clock.now, "AAAAAAAAAAAAAAAA"), false);
    assert.equal(store.get(a.id)?.status, "denied");
  });

  it("lets one deny end an N-of-M request", () => {
    const { approvals } = fresh();
    const a = approvals.request(call, ana, { trust: "strict", requiredApprovals: 2 });
    approvals.decide(a.id, "approve", bob);
    assert.equal(approvals.decide(a.id, "deny", cat).outcome, "denied");
    expectRefused(approvals.decide(a.id, "approve", dan), "decided");
  });

  it("refuses an expired approval, marks it, and its card shows EXPIRED without buttons", () => {
    const rig = fresh();
    const a = rig.approvals.request(call, ana, { ...strict, ttlMs: 60_000 });
    rig.clock.now += 60_000;
    const r = rig.approvals.decide(a.id, "approve", bob);
    assert.equal(r.outcome, "expired");
    assert.equal(rig.approvals.get(a.id)?.status, "expired");
    expectRefused(rig.approvals.decide(a.id, "approve", bob), "decided");
    const card = approvalCard(rig.approvals.get(a.id)!, { redact });
    assert.deepEqual(card.buttons, []);
    assert.equal(card.state, "EXPIRED at 2025-01-31 14:01:00 UTC");
  });

  it("expires due approvals in bulk for the card updater", () => {
    const rig = fresh();
    const short = rig.approvals.request(call, ana, { ...strict, ttlMs: 1000 });
    const long = rig.approvals.request(call, ana, { ...strict, ttlMs: 60_000 });
    rig.clock.now += 1000;
    assert.deepEqual(
      rig.approvals.expireDue().map((a) => a.id),
      [short.id],
    );
    assert.deepEqual(
      rig.approvals.listPending().map((a) => a.id),
      [long.id],
    );
  });

  it("keeps pending approvals decidable across a restart", () => {
    const path = join(tmp.dir, "restart.db");
    const first = policyRig(path);
    const a = first.approvals.request({ ...call, permission: "elevate" }, ana, {
      trust: "strict",
      requiredApprovals: 2,
      context: { ts: "1.2" },
    });
    assert.equal(first.approvals.decide(a.id, "approve", bob).outcome, "pending");
    first.db.close();
    const second = policyRig(path);
    rigs.push(second);
    const pending = second.approvals.listPending();
    assert.deepEqual(
      pending.map((p) => [p.id, p.approvers, p.context]),
      [[a.id, ["bob"], { ts: "1.2" }]],
    );
    expectRefused(second.approvals.decide(a.id, "approve", bob), "already-voted");
    const r = second.approvals.decide(a.id, "approve", cat);
    assert.equal(r.outcome, "approved");
    if (r.outcome === "approved")
      assert.equal(second.grants.consume(r.grant, bound({ ...call, permission: "elevate" })).ok, true);
  });

  it("settles a double click racing from several connections once", async () => {
    const path = join(tmp.dir, "race.db");
    const rig = policyRig(path);
    rigs.push(rig);
    const a = rig.approvals.request(call, ana, strict);
    const clickers = [bob, cat, dan, bob, cat, dan];
    const results = await race<{ outcome: string; code?: string }>(
      path,
      rig.clock.now,
      clickers.length,
      (i) => ({
        op: "decide",
        approvalId: a.id,
        clicker: clickers[i],
      }),
    );
    assert.equal(results.filter((r) => r.outcome === "approved").length, 1, JSON.stringify(results));
    assert.ok(
      results.every((r) => r.outcome === "approved" || r.code === "decided" || r.code === "already-voted"),
    );
    const grants = rig.db
      .prepare("SELECT COUNT(*) AS n FROM policy_grants WHERE approval_id = ?")
      .get(a.id) as { n: number };
    assert.equal(grants.n, 1);
  });

  it("auto-approves in lenient mode with a revocable grant; a revoked grant does not run", () => {
    const { approvals, grants } = fresh();
    const g = approvals.autoApprove(call, ana);
    assert.equal(g.mode, "lenient");
    const card = grantAnnouncementCard(g, { redact, args });
    assert.deepEqual(
      card.buttons?.map((b) => b.id),
      [revokeButtonId(g.id)],
    );
    const nope = approvals.handleAction(revokeButtonId(g.id), vic);
    assert.equal(nope.kind === "revoke-grant" && !nope.ok && nope.code, "not-allowed");
    const rev = approvals.handleAction(revokeButtonId(g.id), bob);
    assert.equal(rev.kind === "revoke-grant" && rev.ok, true);
    const r = grants.consume(g, bound(call));
    assert.equal(!r.ok && r.code, "revoked");
    const settled = grantAnnouncementCard(grants.get(g.id)!, { redact, args });
    assert.deepEqual(settled.buttons, []);
    assert.match(settled.state ?? "", /^Revoked by bob at /);
    // The requester may revoke their own auto-approved grant.
    const own = approvals.autoApprove(call, ana);
    assert.equal(approvals.revokeGrant(own.id, ana).ok, true);
  });

  it("builds the card from the server's record: exact redacted arguments, bound fields, short button ids", () => {
    const { approvals } = fresh();
    const a = approvals.request(
      { ...call, args: { ...args, password: "hunter2", note: "```\n**x**" } },
      ana,
      strict,
    );
    const input = approvalCard(a, { redact, now: a.createdAt });
    const card = createCard(input); // validates button ids against every platform's limit
    assert.deepEqual(
      card.buttons.map((b) => [b.id, b.label, b.style]),
      [
        [`ap:${a.id}:y`, "Approve", "primary"],
        [`ap:${a.id}:n`, "Deny", "danger"],
      ],
    );
    assert.ok(card.buttons.every((b) => b.id.length <= 21));
    assert.ok(!card.markdown.includes("hunter2"));
    assert.ok(card.markdown.includes("[REDACTED]"));
    const code = card.tokens.find((t) => t.type === "code");
    assert.ok(code && "text" in code && code.text.includes('"note"'), "arguments stay inside one code block");
    const fields = Object.fromEntries(card.fields.map((f) => [f.label, f.value]));
    assert.deepEqual(fields, {
      Operator: "web-bot",
      Tool: "ssh.exec",
      Target: "ssh:web",
      Permission: "exec",
      Risk: "high",
      "Requested by": "ana",
      Expires: "2025-01-31 14:30:00 UTC",
    });
    assert.equal(card.state, undefined);
    approvals.decide(a.id, "deny", bob);
    const denied = approvalCard(approvals.get(a.id)!, { redact });
    assert.deepEqual(denied.buttons, []);
    assert.equal(denied.state, "Denied by bob at 2025-01-31 14:00:00 UTC");
  });

  it("runs end to end from the gate's decision", () => {
    const { approvals, grants } = fresh();
    const gate = new PolicyGate();
    const d = gate.decide({
      operator: { name: "web-bot", ceiling: "exec", trust: "strict" },
      tool: shellTool,
      args,
      requester: ana,
      source: { kind: "chat", platform: "slack", conversation: "C1" },
    });
    assert.equal(d.decision, "needs-approval");
    const a = approvals.request({ ...d, args }, ana, {
      trust: "strict",
      requiredApprovals: d.requiredApprovals,
    });
    const r = approvals.decide(a.id, "approve", bob);
    assert.equal(r.outcome, "approved");
    if (r.outcome === "approved") assert.equal(grants.consume(r.grant, d).ok, true);
  });
});
