// The policy gate under attack: the ceiling is hard in every trust mode, roles limit requesters,
// and permission, resource and risk come from the tool and its arguments only (invariant 1).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Tool } from "../tools/tool.ts";
import { type GateInput, type GateOperator, PolicyGate } from "./gate.ts";
import { hashArgs } from "./hash-args.ts";
import { PERMISSION_LEVELS } from "./permission.ts";
import { ana, eve, levelTool, type ShellArgs, shellTool, vic } from "./policy-test-kit.ts";
import { assessRisk } from "./risk.ts";

const strict: GateOperator = { name: "web-bot", ceiling: "elevate", trust: "strict" };
const lenient: GateOperator = { ...strict, trust: "lenient" };
const chat = { kind: "chat", platform: "slack", conversation: "C1" } as const;

function input<A>(tool: Tool<A>, args: A, over: Partial<GateInput<A>> = {}): GateInput<A> {
  return { operator: strict, tool, args, requester: ana, source: chat, ...over };
}

describe("policy gate", () => {
  const gate = new PolicyGate();

  it("denies a call above the operator's ceiling in every trust mode, naming both levels", () => {
    for (const trust of ["strict", "lenient"] as const) {
      const d = gate.decide(
        input(levelTool("write"), { path: "/srv/a" }, { operator: { name: "ro", ceiling: "read", trust } }),
      );
      assert.equal(d.decision, "deny", trust);
      assert.match(d.reason, /needs write but operator ro's ceiling is read/);
      assert.equal(d.autoApproved, false);
    }
    const up = gate.decide(
      input(
        shellTool,
        { host: "web", command: "id", sudo: true },
        { operator: { ...lenient, ceiling: "exec" } },
      ),
    );
    assert.equal(up.decision, "deny");
    assert.equal(up.permission, "elevate");
  });

  it("allows reads, asks in strict mode and auto-approves (announced) in lenient mode", () => {
    const read = gate.decide(input(levelTool("read"), { path: "/srv/a" }));
    assert.equal(read.decision, "allow");
    assert.equal(read.autoApproved, false);
    for (const level of ["write", "exec"] as const) {
      const s = gate.decide(input(levelTool(level), { path: "/srv/a" }));
      assert.equal(s.decision, "needs-approval", level);
      assert.equal(s.requiredApprovals, 1);
      const l = gate.decide(input(levelTool(level), { path: "/srv/a" }, { operator: lenient }));
      assert.equal(l.decision, "allow", level);
      assert.equal(l.autoApproved, true);
    }
  });

  it("always asks for elevate, with N approvers configurable globally and per operator", () => {
    const args = { host: "db", command: "systemctl restart pg", sudo: true };
    const l = gate.decide(input(shellTool, args, { operator: lenient }));
    assert.equal(l.decision, "needs-approval");
    assert.equal(l.autoApproved, false);
    assert.equal(l.requiredApprovals, 1);
    const two = new PolicyGate({ elevateApprovals: 2 }).decide(input(shellTool, args));
    assert.equal(two.requiredApprovals, 2);
    const three = new PolicyGate({ elevateApprovals: 2 }).decide(
      input(shellTool, args, { operator: { ...strict, elevateApprovals: 3 } }),
    );
    assert.equal(three.requiredApprovals, 3);
    assert.throws(() => new PolicyGate({ elevateApprovals: 0 }), RangeError);
  });

  it("lets viewers only read, and unknown users do nothing from chat", () => {
    assert.equal(gate.decide(input(levelTool("read"), { path: "/a" }, { requester: vic })).decision, "allow");
    const w = gate.decide(input(levelTool("write"), { path: "/a" }, { requester: vic, operator: lenient }));
    assert.equal(w.decision, "deny");
    assert.match(w.reason, /vic may only run read tools/);
    for (const requester of [eve, undefined]) {
      const d = gate.decide(input(levelTool("read"), { path: "/a" }, { requester }));
      assert.equal(d.decision, "deny", String(requester?.name));
    }
    // A schedule set up by an admin has no human requester and acts under the operator's trust.
    const sched = gate.decide(
      input(levelTool("write"), { path: "/a" }, { requester: undefined, source: { kind: "schedule" } }),
    );
    assert.equal(sched.decision, "needs-approval");
  });

  it("takes permission and resource from the tool and arguments, never from anything else", () => {
    const args: ShellArgs = { host: "web", command: "uptime" };
    const d = gate.decide(input(shellTool, args));
    assert.equal(d.permission, "exec");
    assert.equal(d.resource, "ssh:web");
    assert.equal(d.argsHash, hashArgs(args));
    // Extra, model-supplied claims riding along in the arguments change the hash, not the level.
    const claims = { ...args, permission: "read", risk: "low", approved: true } as ShellArgs;
    const c = gate.decide(input(shellTool, claims));
    assert.equal(c.permission, "exec");
    assert.equal(c.decision, "needs-approval");
    assert.notEqual(c.argsHash, d.argsHash);
  });

  it("denies a call whose tool cannot derive its permission", () => {
    const broken: Tool<{ path: string }> = {
      ...levelTool("read"),
      permission: () => {
        throw new Error("no path");
      },
    };
    const d = gate.decide(input(broken, { path: "/a" }));
    assert.equal(d.decision, "deny");
    assert.match(d.reason, /no path/);
  });

  it("denies an operator the conversation is not bound to", () => {
    const bound = new PolicyGate({
      channels: { channelAllows: (_p, conv, op) => conv === "C1" && op === "web-bot" },
    });
    assert.equal(bound.decide(input(levelTool("read"), { path: "/a" })).decision, "allow");
    const other = bound.decide(
      input(levelTool("read"), { path: "/a" }, { source: { ...chat, conversation: "C2" } }),
    );
    assert.equal(other.decision, "deny");
    assert.match(other.reason, /not bound/);
  });
});

describe("risk", () => {
  it("rises with the permission level", () => {
    const risks = PERMISSION_LEVELS.map(
      (permission) => assessRisk({ tool: "t.x", permission, resource: "fs:/srv/a" }).risk,
    );
    assert.deepEqual(risks, ["low", "medium", "high", "critical"]);
  });

  it("rises for production, root, wildcard and system targets and destructive tools", () => {
    const base = { tool: "docker.restart", permission: "write" as const };
    assert.equal(assessRisk({ ...base, resource: "docker:container/web" }).risk, "medium");
    for (const resource of [
      "docker:container/web-prod",
      "ssh:root@10.0.0.5:22",
      "fs:/srv/*",
      "fs:/etc/passwd",
      "k8s:production/api",
    ]) {
      assert.equal(assessRisk({ ...base, resource }).risk, "high", resource);
    }
    assert.equal(assessRisk({ ...base, resource: "docker:container/product-catalog" }).risk, "medium");
    assert.equal(
      assessRisk({ tool: "docker.rm", permission: "write", resource: "docker:container/web" }).risk,
      "high",
    );
    assert.equal(
      assessRisk({ tool: "docker.rm", permission: "exec", resource: "ssh:root@prod:22" }).risk,
      "critical",
    );
  });

  it("is what the gate reports", () => {
    const d = new PolicyGate().decide(input(shellTool, { host: "root@prod-db", command: "ls" }));
    assert.equal(d.risk, "critical");
    assert.ok(d.riskFactors.includes("production target"));
  });
});
