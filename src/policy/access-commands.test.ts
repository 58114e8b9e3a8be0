// The access chat commands against a real store, hub and policy service: admins change users,
// roles, links and bindings; others are refused; bad input says what to fix; every change is
// audited; `revoke <grant-id>` follows the Revoke button's rules.

import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import pino from "pino";
import { AuditLog, createRedactor } from "../audit/index.ts";
import type { InboundMessage } from "../core/chat-adapter.ts";
import { ChatHub } from "../core/chat-hub.ts";
import { commandRouter } from "../core/router.ts";
import { openStore, type Store } from "../store/index.ts";
import { RecordingAdapter } from "../testing/recording-adapter.ts";
import { tempDir } from "../testing/temp-dir.ts";
import { accessCommands } from "./access-commands.ts";
import { hashArgs } from "./hash-args.ts";
import { createPolicyService, type PolicyService } from "./policy-service.ts";

const USERS = {
  users: [
    { name: "ada", roles: ["admin" as const], slack: ["U_ADA"] },
    { name: "bob", roles: ["approver" as const], slack: ["U_BOB"] },
    { name: "carol", roles: ["viewer" as const], slack: ["U_CAROL"] },
    { name: "dave", roles: ["operator" as const], slack: ["U_DAVE"] },
  ],
};

describe("access commands", () => {
  const dir = tempDir();
  let store: Store;
  let audit: AuditLog;
  let policy: PolicyService;
  let hub: ChatHub;
  const slack = new RecordingAdapter("slack");
  let n = 0;

  before(async () => {
    store = openStore(join(dir.path, "vigil.db"));
    const log = pino({ level: "silent" });
    const redactor = createRedactor();
    audit = new AuditLog({ db: store.db, redactor });
    hub = new ChatHub({ ...store, log });
    policy = createPolicyService({
      db: store.db,
      secrets: ["a-test-secret-of-enough-length"],
      users: USERS,
      audit,
      redact: (t) => redactor.redact(t).text,
      hub,
      resolveCall: () => undefined,
      log,
    });
    hub.use(
      commandRouter({
        commands: accessCommands({
          identities: policy.identities,
          approvals: policy.approvals,
          grants: policy.grants,
          audit,
          operatorNames: () => ["deploy-bot", "files"],
        }),
      }),
    );
    hub.attach(slack);
    await hub.start();
  });
  after(async () => {
    await hub.stop();
    store.close();
    dir[Symbol.dispose]();
  });

  /** Sends `text` as `user` in conversation C1 and returns the reply's text. */
  async function say(user: string, text: string, conversation = "C1"): Promise<string> {
    const before = slack.sent.length;
    const event: InboundMessage = {
      kind: "message",
      platform: "slack",
      conversation,
      user: { id: user },
      eventId: `e${++n}`,
      receivedAt: new Date(),
      messageId: `1.${n}`,
      text,
    };
    await slack.deliver(event);
    assert.equal(slack.sent.length, before + 1, `one reply to "${text}"`);
    const card = slack.sent.at(-1)!.card;
    return [card.title, card.markdown, ...card.fields.map((f) => `${f.label}: ${f.value}`)].join("\n");
  }

  const lastAudit = () => audit.query({ limit: 1 })[0];
  const roles = (name: string) => policy.identities.user(name)?.roles;

  it("lets anyone with a role list users, and tells an unknown user their id", async () => {
    const list = await say("U_CAROL", "access users");
    assert.match(list, /\*\*ada\*\*: admin \(slack:U_ADA\)/);
    assert.match(list, /\*\*bob\*\*: approver/);
    const stranger = await say("U_EVE", "access users");
    assert.match(stranger, /not a known Vigil user.*`U_EVE`/);
    assert.doesNotMatch(stranger, /ada/);
  });

  it("refuses a non-admin's change, changes nothing, and audits the attempt", async () => {
    const reply = await say("U_BOB", "access grant bob admin");
    assert.match(reply, /Only a Vigil admin may use `access grant`; bob is not one/);
    assert.deepEqual(roles("bob"), ["approver"]);
    const entry = lastAudit();
    assert.equal(entry.actor, "bob");
    assert.equal(entry.decision, "refused");
    assert.match(entry.reason ?? "", /access grant: not an admin/);
    assert.match(await say("U_EVE", "access link eve slack U_EVE"), /not a known Vigil user/);
    assert.equal(policy.identities.resolve("slack", "U_EVE"), undefined);
  });

  it("lets an admin grant and revoke roles, audited", async () => {
    assert.match(
      await say("U_ADA", "access grant carol approver"),
      /Granted approver to carol; roles now: viewer, approver/,
    );
    assert.deepEqual(roles("carol"), ["viewer", "approver"]);
    let entry = lastAudit();
    assert.deepEqual(
      { actor: entry.actor, source: entry.source, decision: entry.decision, reason: entry.reason },
      { actor: "ada", source: "chat", decision: "info", reason: "granted role approver to carol" },
    );
    assert.equal(entry.platform, "slack");
    assert.match(
      await say("U_ADA", "access revoke carol approver"),
      /Revoked approver from carol; roles now: viewer/,
    );
    assert.deepEqual(roles("carol"), ["viewer"]);
    entry = lastAudit();
    assert.equal(entry.reason, "revoked role approver from carol");
    assert.match(await say("U_ADA", "access revoke carol admin"), /carol does not have the admin role/);
  });

  it("answers bad input with what to fix", async () => {
    assert.match(
      await say("U_ADA", "access grant carol superuser"),
      /Unknown role `superuser`; roles are viewer, operator, approver, admin/,
    );
    assert.match(
      await say("U_ADA", "access grant zed viewer"),
      /There is no user `zed`\. Users: .*`ada`.*access link zed/,
    );
    assert.match(
      await say("U_ADA", "access link zed myspace 42"),
      /Unknown platform `myspace`; platforms are slack, discord, telegram, console/,
    );
    assert.match(await say("U_ADA", "access grant carol"), /Usage: `access grant <user> <role>`/);
    assert.match(
      await say("U_ADA", "access frobnicate"),
      /`access frobnicate` is not a subcommand[\s\S]*access bind/,
    );
    assert.match(await say("U_ADA", "access"), /access unlink <platform> <platform-user-id>/);
    assert.match(await say("U_ADA", "access unlink telegram 999"), /not linked to anyone/);
    assert.match(
      await say("U_ADA", "access bind nosuch-bot"),
      /Unknown operator `nosuch-bot`.*operators: deploy-bot, files/,
    );
  });

  it("refuses to revoke the last admin, with the directory's reason", async () => {
    const reply = await say("U_ADA", "access revoke ada admin");
    assert.match(reply, /Not changed: ada is the last admin; grant admin to someone else first/);
    assert.deepEqual(roles("ada"), ["admin"]);
  });

  it("links a new account (a pasted mention works) and unlinks it, audited", async () => {
    assert.match(
      await say("U_ADA", "access link erin telegram 5005"),
      /Linked telegram account `5005` to erin/,
    );
    assert.equal(policy.identities.resolve("telegram", "5005")?.name, "erin");
    assert.match(await say("U_ADA", "access grant erin operator"), /Granted operator to erin/);
    assert.match(
      await say("U_ADA", "access link erin slack <@U_ERIN|erin>"),
      /Linked slack account `U_ERIN` to erin/,
    );
    assert.equal(policy.identities.resolve("slack", "U_ERIN")?.name, "erin");
    assert.equal(lastAudit().reason, "linked slack:U_ERIN to erin");
    assert.match(
      await say("U_ADA", "access unlink slack U_ERIN"),
      /Unlinked slack account `U_ERIN` from erin/,
    );
    assert.equal(policy.identities.resolve("slack", "U_ERIN"), undefined);
    assert.equal(lastAudit().reason, "unlinked slack:U_ERIN from erin");
  });

  it("binds and unbinds the current conversation", async () => {
    assert.match(
      await say("U_ADA", "access bind deploy-bot, files", "C_PROD"),
      /may now use: deploy-bot, files/,
    );
    assert.deepEqual(policy.identities.binding("slack", "C_PROD"), ["deploy-bot", "files"]);
    assert.equal(policy.identities.channelAllows("slack", "C_PROD", "other"), false);
    assert.equal(
      policy.identities.binding("slack", "C1"),
      undefined,
      "only the current conversation is bound",
    );
    assert.equal(lastAudit().reason, "bound slack:C_PROD to operators deploy-bot, files");
    assert.match(
      await say("U_CAROL", "access users", "C_PROD"),
      /This conversation: operators deploy-bot, files/,
    );
    assert.match(await say("U_BOB", "access unbind", "C_PROD"), /Only a Vigil admin/);
    assert.ok(policy.identities.binding("slack", "C_PROD"));
    assert.match(await say("U_ADA", "access unbind", "C_PROD"), /no binding now/);
    assert.equal(policy.identities.binding("slack", "C_PROD"), undefined);
    assert.equal(lastAudit().reason, "unbound slack:C_PROD");
  });

  describe("grants and revoke by command", () => {
    const issue = () =>
      policy.grants.issue({
        operator: "files",
        tool: "fs.write",
        argsHash: hashArgs({ path: "a.txt" }),
        resource: "file:a.txt",
        permission: "write",
        mode: "lenient",
        requester: "dave",
      });

    it("lists active grants for anyone with a role", async () => {
      const g = issue();
      const list = await say("U_CAROL", "grants");
      assert.match(
        list,
        new RegExp(`\`${g.id}\` files → fs.write on file:a.txt \\(write, lenient, for dave\\)`),
      );
      assert.match(await say("U_EVE", "grants"), /not a known Vigil user/);
    });

    it("refuses a viewer and accepts an approver, like the Revoke button", async () => {
      const g = issue();
      assert.match(
        await say("U_CAROL", `revoke ${g.id}`),
        /Not revoked: only an approver, an admin or the requester may revoke/,
      );
      assert.equal(policy.grants.get(g.id)?.revokedAt, undefined);
      let entry = lastAudit();
      assert.deepEqual([entry.actor, entry.decision, entry.grantId], ["carol", "refused", g.id]);

      assert.match(await say("U_BOB", `revoke ${g.id}`), /is revoked/);
      assert.equal(policy.grants.get(g.id)?.revokedBy, "bob");
      entry = lastAudit();
      assert.deepEqual(
        [entry.actor, entry.decision, entry.grantId, entry.tool, entry.operator],
        ["bob", "revoked", g.id, "fs.write", "files"],
      );
      assert.doesNotMatch(await say("U_CAROL", "grants"), new RegExp(g.id));
      assert.match(await say("U_BOB", `revoke ${g.id}`), /Not revoked: already revoked by bob/);
    });

    it("lets the requester revoke their own grant, and explains an unknown id", async () => {
      const g = issue();
      assert.match(await say("U_DAVE", `revoke ${g.id}`), /is revoked/);
      assert.equal(policy.grants.get(g.id)?.revokedBy, "dave");
      assert.match(await say("U_BOB", "revoke AAAAAAAAAAAAAAAA"), /There is no grant `AAAAAAAAAAAAAAAA`/);
      assert.match(await say("U_BOB", "revoke"), /Usage: `revoke <grant-id>`/);
    });
  });

  it("keeps the audit chain intact after all of it", () => {
    assert.equal(audit.verify().ok, true);
  });
});
