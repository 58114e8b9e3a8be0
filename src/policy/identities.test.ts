// Identities and roles: config users, admin-only overrides that survive a restart, unknown users
// holding nothing, and per-channel operator bindings with a documented default.

import assert from "node:assert/strict";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { VigilError } from "../core/errors.ts";
import { hasRole, IdentityDirectory, type UsersConfigInput, usersConfigSchema } from "./identities.ts";
import { openPolicyDb, tempDir } from "./policy-test-kit.ts";

const config: UsersConfigInput = {
  users: [
    { name: "root", roles: ["admin"], console: "root" },
    { name: "ana", roles: ["operator"], slack: "U1", telegram: 1001 },
    { name: "bob", roles: ["approver"], discord: ["D1", "D2"] },
    { name: "vic", roles: ["viewer"], slack: "U3" },
  ],
  channels: [{ platform: "slack", conversation: "CPROD", operators: ["deploy-bot"] }],
};

describe("identities", () => {
  const tmp = tempDir();
  let n = 0;
  const open = (cfg: UsersConfigInput = config, path = join(tmp.dir, `i${n++}.db`)) => ({
    dir: new IdentityDirectory({ db: openPolicyDb(path), config: cfg }),
    path,
  });
  after(() => tmp.cleanup());

  it("resolves verified platform accounts to users with their roles", () => {
    const { dir } = open();
    assert.equal(dir.resolve("slack", "U1")?.name, "ana");
    assert.equal(dir.resolve("telegram", "1001")?.name, "ana");
    assert.equal(dir.resolve("discord", "D2")?.name, "bob");
    assert.deepEqual(dir.user("ana")?.roles, ["operator"]);
    assert.equal(dir.resolve("discord", "U1"), undefined, "ids are per platform");
  });

  it("gives unknown users no roles at all", () => {
    const { dir } = open();
    const nobody = dir.resolve("slack", "U999");
    assert.equal(nobody, undefined);
    for (const role of ["viewer", "operator", "approver", "admin"] as const)
      assert.equal(hasRole(nobody, role), false);
  });

  it("applies role implications: admin holds everything, any role holds viewer", () => {
    const { dir } = open();
    assert.equal(hasRole(dir.user("root"), "approver"), true);
    assert.equal(hasRole(dir.user("ana"), "viewer"), true);
    assert.equal(hasRole(dir.user("ana"), "approver"), false);
    assert.equal(hasRole(dir.user("bob"), "operator"), false);
    assert.equal(hasRole(dir.user("vic"), "operator"), false);
  });

  it("lets only admins change roles, links and bindings", () => {
    const { dir } = open();
    const ana = dir.user("ana");
    const bob = dir.user("bob");
    for (const by of [ana, bob, undefined]) {
      assert.throws(
        () => dir.grantRole(by, "ana", "approver"),
        (e: VigilError) => e.code === "VIGIL_ERR_POLICY_DENIED",
      );
      assert.throws(() => dir.linkIdentity(by, "ana", "discord", "D9"), /only an admin/);
      assert.throws(() => dir.unlinkIdentity(by, "slack", "U1"), /only an admin/);
      assert.throws(() => dir.bindChannel(by, "slack", "C1", ["*"]), /only an admin/);
    }
    assert.equal(hasRole(dir.user("ana"), "approver"), false);
  });

  it("keeps admin overrides across a restart, over the config", () => {
    const { dir, path } = open();
    const root = dir.user("root");
    dir.grantRole(root, "ana", "approver");
    dir.revokeRole(root, "bob", "approver");
    dir.linkIdentity(root, "carol", "slack", "U7");
    dir.linkIdentity(root, "ana", "discord", "D1"); // moves D1 from bob to ana
    dir.unlinkIdentity(root, "slack", "U3");
    const again = open(config, path).dir;
    assert.deepEqual(again.user("ana")?.roles, ["operator", "approver"]);
    assert.deepEqual(again.user("bob")?.roles, []);
    assert.equal(hasRole(again.resolve("discord", "D2"), "viewer"), false, "bob has no role left");
    assert.equal(again.resolve("discord", "D1")?.name, "ana");
    assert.equal(again.resolve("slack", "U7")?.name, "carol");
    assert.deepEqual(again.user("carol")?.roles, []);
    assert.equal(again.resolve("slack", "U3"), undefined);
  });

  it("refuses to revoke the last admin and rejects bad input with advice", () => {
    const { dir } = open();
    const root = dir.user("root");
    assert.throws(() => dir.revokeRole(root, "root", "admin"), /last admin/);
    assert.throws(() => dir.grantRole(root, "ana", "god" as "admin"), /unknown role "god"/);
    assert.throws(() => dir.grantRole(root, "bad name!", "viewer"), /not a valid user name/);
    assert.throws(() => dir.linkIdentity(root, "ana", "irc" as "slack", "x"), /unknown platform "irc"/);
  });

  it("binds channels to operators; with no binding the configured default applies", () => {
    const { dir } = open();
    const root = dir.user("root");
    assert.equal(dir.channelAllows("slack", "CPROD", "deploy-bot"), true);
    assert.equal(dir.channelAllows("slack", "CPROD", "chaos-bot"), false);
    assert.equal(dir.channelAllows("slack", "CANY", "chaos-bot"), true, "default: any-operator");
    dir.bindChannel(root, "slack", "CPROD", ["chaos-bot"]);
    assert.equal(dir.channelAllows("slack", "CPROD", "deploy-bot"), false);
    dir.unbindChannel(root, "slack", "CPROD");
    assert.equal(dir.channelAllows("slack", "CPROD", "deploy-bot"), true, "back to vigil.yaml's binding");
    dir.bindChannel(root, "discord", "G1", ["*"]);
    assert.equal(dir.channelAllows("discord", "G1", "anything"), true);
    const closed = open({ ...config, unboundChannels: "no-operator" }).dir;
    assert.equal(closed.channelAllows("slack", "CANY", "deploy-bot"), false);
    assert.equal(closed.channelAllows("slack", "CPROD", "deploy-bot"), true);
  });

  it("validates the config with the path of the bad field", () => {
    const dup = usersConfigSchema.safeParse({
      users: [
        { name: "a", slack: "U1" },
        { name: "b", slack: "U1" },
      ],
    });
    assert.equal(dup.success, false);
    assert.deepEqual(dup.error?.issues[0].path, ["users", 1, "slack"]);
    const role = usersConfigSchema.safeParse({ users: [{ name: "a", roles: ["root"] }] });
    assert.deepEqual(role.error?.issues[0].path, ["users", 0, "roles", 0]);
    const extra = usersConfigSchema.safeParse({ users: [{ name: "a", sllack: "U1" }] });
    assert.equal(extra.success, false);
  });
});
