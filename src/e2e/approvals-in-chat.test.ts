// Invariants 2, 3 and 7 end to end: a write call in strict mode waits for an approver's click in
// the thread; forged, replayed, self- and non-approver clicks are refused; the approved call runs
// once; a pending approval survives a restart; every step lands in the hash-chained audit log.

import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import pino from "pino";
import { AuditLog, createRedactor } from "../audit/index.ts";
import type { InboundAction, InboundMessage } from "../core/chat-adapter.ts";
import { ChatHub } from "../core/chat-hub.ts";
import type { InvokerOperator } from "../policy/gated-invoker.ts";
import { createPolicyService } from "../policy/policy-service.ts";
import { openStore } from "../store/index.ts";
import { RecordingAdapter } from "../testing/recording-adapter.ts";
import { tempDir } from "../testing/temp-dir.ts";
import { waitFor } from "../testing/wait-for.ts";
import { filesystemWriteTool } from "../tools/native/filesystem-write.ts";

const USERS = {
  users: [
    { name: "ana", roles: ["operator" as const, "approver" as const], slack: ["U_ANA"] },
    { name: "bob", roles: ["approver" as const], slack: ["U_BOB"], telegram: ["5005"] },
    { name: "carol", roles: ["viewer" as const], slack: ["U_CAROL"] },
  ],
};

function boot(
  dataDir: string,
  opts: {
    approvalTtlMs?: number;
    trust?: "strict" | "lenient";
    globalTrust?: "strict" | "lenient";
    approvalsChannel?: { platform: "telegram"; conversation: string };
  } = {},
) {
  const store = openStore(join(dataDir, "vigil.db"));
  const log = pino({ level: "silent" });
  const redactor = createRedactor();
  const audit = new AuditLog({ db: store.db, redactor });
  const hub = new ChatHub({ ...store, log });
  const work = join(dataDir, "work");
  mkdirSync(work, { recursive: true });
  const tool = filesystemWriteTool({ workingDirectory: work });
  const operator: InvokerOperator = {
    name: "files",
    ceiling: "write",
    trust: opts.trust ?? "strict",
    workingDirectory: work,
  };
  const policy = createPolicyService({
    db: store.db,
    secrets: ["a-test-secret-of-enough-length"],
    users: USERS,
    settings: {
      approvalTtlMs: opts.approvalTtlMs,
      approvalsChannel: opts.approvalsChannel,
      trust: opts.globalTrust,
    },
    audit,
    redact: (t) => redactor.redact(t).text,
    hub,
    resolveCall: (op, name) => (op === operator.name && name === tool.name ? { operator, tool } : undefined),
    log,
  });
  const outcomes: string[] = [];
  hub.use(async (ctx) => {
    const [, path, content] = ctx.text.split(" ");
    const outcome = await policy.invoker.invoke({
      operator,
      tool,
      rawArgs: { path, content },
      requester: { platform: ctx.event.platform, userId: ctx.event.user.id },
      source: "chat",
      chat: ctx,
      signal: new AbortController().signal,
    });
    outcomes.push(outcome.status);
    await ctx.reply(`${outcome.status}: ${outcome.output}`);
  });
  const slack = new RecordingAdapter("slack");
  const telegram = new RecordingAdapter("telegram");
  hub.attach(slack).attach(telegram);
  return { store, hub, slack, telegram, policy, audit, work, outcomes };
}

let n = 0;
const message = (user: string, text: string): InboundMessage => ({
  kind: "message",
  platform: "slack",
  conversation: "C1",
  user: { id: user },
  eventId: `m${++n}`,
  receivedAt: new Date(),
  messageId: `100.${n}`,
  text,
});

function click(adapter: RecordingAdapter, user: string, actionId: string, messageId: string): Promise<void> {
  const sent = adapter.sent.find((m) => m.ref.messageId === messageId)!;
  const event: InboundAction = {
    kind: "action",
    platform: adapter.platform,
    conversation: sent.ref.conversation,
    thread: sent.ref.thread,
    user: { id: user },
    eventId: `c${++n}`,
    receivedAt: new Date(),
    actionId,
    message: sent.ref,
  };
  return adapter.deliver(event);
}

const lastText = (a: RecordingAdapter) => a.sent.at(-1)!.card.markdown;

describe("approvals in chat", () => {
  it("waits for an approver, refuses the wrong clickers, runs the approved call once, and audits it all", async () => {
    using dir = tempDir();
    const v = boot(dir.path);
    await v.hub.start();
    const request = v.slack.deliver(message("U_ANA", "write notes.txt hello"));
    const card = await waitFor(() => v.slack.sent.find((m) => m.card.buttons.length === 2), {
      what: "the approval card",
    });
    assert.match(
      card.card.fields.map((f) => `${f.label}=${f.value}`).join(" "),
      /Tool=filesystem\.write.*Permission=write/,
    );
    const [approve, deny] = card.card.buttons;
    assert.match(approve.id, /^ap:[A-Za-z0-9_-]+:y$/);
    assert.ok(!existsSync(join(v.work, "notes.txt")), "nothing runs before approval");

    await click(v.slack, "U_CAROL", approve.id, card.ref.messageId);
    assert.match(lastText(v.slack), /approver/);
    await click(v.slack, "U_ANA", approve.id, card.ref.messageId);
    assert.match(lastText(v.slack), /another approver must approve/);
    await click(v.slack, "U_MALLORY", approve.id, card.ref.messageId);
    await click(v.slack, "U_BOB", approve.id.replace(/:[^:]+:y$/, ":AAAAAAAAAAAAAAAA:y"), card.ref.messageId);
    assert.match(lastText(v.slack), /does not exist/);
    assert.ok(!existsSync(join(v.work, "notes.txt")));

    await click(v.slack, "U_BOB", approve.id, card.ref.messageId);
    await request;
    assert.equal(readFileSync(join(v.work, "notes.txt"), "utf8"), "hello");
    assert.deepEqual(v.outcomes, ["ok"]);
    assert.match(card.card.state ?? "", /Approved by bob/);
    assert.equal(card.card.buttons.length, 0);

    // A replayed click and a late deny change nothing.
    await click(v.slack, "U_BOB", approve.id, card.ref.messageId);
    assert.match(lastText(v.slack), /already approved by bob/);
    await click(v.slack, "U_BOB", deny.id, card.ref.messageId);
    assert.deepEqual(v.outcomes, ["ok"]);

    const entries = v.audit.query({ limit: 100 }).reverse();
    const decisions = entries.map((e) => e.decision);
    assert.deepEqual(decisions.slice(0, 2), ["needs-approval", "refused"]);
    assert.ok(decisions.includes("approved") && decisions.includes("executed"));
    assert.equal(entries.find((e) => e.decision === "executed")?.actor, "ana");
    assert.ok(v.audit.verify().ok);
    v.store.close();
  });

  it("lets an approver answer from another platform's approvals channel", async () => {
    using dir = tempDir();
    const v = boot(dir.path, { approvalsChannel: { platform: "telegram", conversation: "-100777" } });
    await v.hub.start();
    const request = v.slack.deliver(message("U_ANA", "write cross.txt from-telegram"));
    const copy = await waitFor(() => v.telegram.sent.find((m) => m.card.buttons.length === 2), {
      what: "the card in the Telegram approvals channel",
    });
    assert.equal(copy.ref.conversation, "-100777");
    const original = v.slack.sent.find((m) => m.card.buttons.length === 2)!;
    await click(v.telegram, "5005", copy.card.buttons[0].id, copy.ref.messageId);
    await request;
    assert.equal(readFileSync(join(v.work, "cross.txt"), "utf8"), "from-telegram");
    for (const m of [copy, original]) {
      assert.match(m.card.state ?? "", /Approved by bob/, "both copies show the decision");
      assert.equal(m.card.buttons.length, 0);
    }
    v.store.close();
  });

  it("keeps a pending approval across a restart and runs it when clicked", async () => {
    using dir = tempDir();
    const first = boot(dir.path);
    await first.hub.start();
    void first.slack.deliver(message("U_ANA", "write later.txt after-restart"));
    const card = await waitFor(() => first.slack.sent.find((m) => m.card.buttons.length === 2), {
      what: "the approval card",
    });
    first.policy.invoker.stop();
    first.store.close();

    const second = boot(dir.path);
    await second.hub.start();
    // The restarted Vigil has never sent this card; the platform still shows it and delivers the click.
    second.slack.sent.push({ ref: card.ref, card: card.card });
    await click(second.slack, "U_BOB", card.card.buttons[0].id, card.ref.messageId);
    assert.equal(readFileSync(join(second.work, "later.txt"), "utf8"), "after-restart");
    assert.match(lastText(second.slack), /filesystem\.write\*\* ran after approval \(ok\)/);
    second.store.close();
  });

  it("expires an unanswered approval, shows EXPIRED and refuses later clicks", async () => {
    using dir = tempDir();
    const v = boot(dir.path, { approvalTtlMs: 50 });
    await v.hub.start();
    const request = v.slack.deliver(message("U_ANA", "write never.txt x"));
    const card = await waitFor(() => v.slack.sent.find((m) => m.card.buttons.length === 2), {
      what: "the approval card",
    });
    await waitFor(
      async () => {
        await v.policy.invoker.sweepExpired();
        return v.outcomes.length === 1;
      },
      { what: "expiry" },
    );
    await request;
    assert.deepEqual(v.outcomes, ["expired"]);
    assert.match(card.card.state ?? "", /EXPIRED/);
    await click(v.slack, "U_BOB", card.card.buttons[0]?.id ?? "ap:x:y", card.ref.messageId);
    assert.ok(!existsSync(join(v.work, "never.txt")));
    v.store.close();
  });

  it("auto-approves in lenient mode, announces it with a Revoke button, and still audits it", async () => {
    using dir = tempDir();
    const v = boot(dir.path, { trust: "lenient" });
    await v.hub.start();
    await v.slack.deliver(message("U_ANA", "write quick.txt fast"));
    assert.equal(readFileSync(join(v.work, "quick.txt"), "utf8"), "fast");
    const announcement = v.slack.sent.find((m) => m.card.buttons.some((b) => b.id.startsWith("gr:")));
    assert.ok(announcement, "an announcement with a Revoke button");
    const decisions = v.audit.query({ limit: 10 }).map((e) => e.decision);
    assert.ok(decisions.includes("approved") && decisions.includes("executed"));
    v.store.close();
  });

  it("applies a global trust mode over the operator's own", async () => {
    using dir = tempDir();
    const v = boot(dir.path, { trust: "strict", globalTrust: "lenient" });
    await v.hub.start();
    await v.slack.deliver(message("U_ANA", "write global.txt lenient-everywhere"));
    assert.equal(readFileSync(join(v.work, "global.txt"), "utf8"), "lenient-everywhere");
    assert.deepEqual(v.outcomes, ["ok"]);
    v.store.close();
  });
});
