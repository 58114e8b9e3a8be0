// JIT grants under attack: forged and unknown-key signatures, reuse on another resource, tool,
// operator, permission or arguments, replay (also racing from other connections), revocation, expiry.

import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type BoundCall, GRANT_HARD_MAX_TTL_MS, type Grant, GrantSigner, GrantStore } from "./grants.ts";
import { hashArgs } from "./hash-args.ts";
import { KEY_A, KEY_B, openPolicyDb, type PolicyRig, policyRig, race, tempDir } from "./policy-test-kit.ts";

const call: BoundCall = {
  operator: "web-bot",
  tool: "docker.restart",
  argsHash: hashArgs({ container: "web" }),
  resource: "docker:container/web",
  permission: "exec",
};

describe("grants", () => {
  const tmp = tempDir();
  let n = 0;
  const fresh = (opts?: Parameters<typeof policyRig>[1]): PolicyRig =>
    policyRig(join(tmp.dir, `g${n++}.db`), opts);
  const issue = (rig: PolicyRig, over: Partial<Parameters<GrantStore["issue"]>[0]> = {}): Grant =>
    rig.grants.issue({ ...call, mode: "approved", ...over });
  after(() => tmp.cleanup());

  it("is consumed once for the exact call it was issued for", () => {
    const rig = fresh();
    const g = issue(rig);
    assert.deepEqual(rig.grants.consume(g, call).ok, true);
    const again = rig.grants.consume(g, call);
    assert.equal(again.ok, false);
    assert.equal(!again.ok && again.code, "consumed");
  });

  it("refuses a grant on another resource, tool, operator, permission or with changed arguments", () => {
    const rig = fresh();
    const g = issue(rig);
    const variants: Partial<BoundCall>[] = [
      { resource: "docker:container/db" },
      { tool: "docker.rm" },
      { operator: "db-bot" },
      { permission: "elevate" },
      { permission: "write" },
      { argsHash: hashArgs({ container: "web", force: true }) },
    ];
    for (const v of variants) {
      const r = rig.grants.consume(g, { ...call, ...v });
      assert.equal(r.ok, false, JSON.stringify(v));
      assert.equal(!r.ok && r.code, "mismatch", JSON.stringify(v));
    }
    const r = rig.grants.consume(g, { ...call, resource: "docker:container/db" });
    assert.match(
      !r.ok ? r.reason : "",
      /for resource docker:container\/web, not resource docker:container\/db/,
    );
    // None of the attempts spent it: the exact call still works, once.
    assert.equal(rig.grants.consume(g, call).ok, true);
  });

  it("refuses a grant whose bound fields were edited to match another call", () => {
    const rig = fresh();
    const g = issue(rig);
    const other = { ...call, resource: "docker:container/db" };
    const r = rig.grants.consume({ ...g, resource: other.resource }, other);
    assert.equal(!r.ok && r.code, "bad-signature");
    const later = rig.grants.consume({ ...g, expiresAt: g.expiresAt + 3_600_000 }, call);
    assert.equal(!later.ok && later.code, "bad-signature");
  });

  it("refuses a forged signature and an unknown key id", () => {
    const rig = fresh();
    const g = issue(rig);
    const sig = Buffer.from(g.signature, "base64url");
    sig[0] ^= 1;
    const forged = rig.grants.consume({ ...g, signature: sig.toString("base64url") }, call);
    assert.equal(!forged.ok && forged.code, "bad-signature");
    const short = rig.grants.consume({ ...g, signature: "" }, call);
    assert.equal(!short.ok && short.code, "bad-signature");
    const unknownKey = rig.grants.consume({ ...g, keyId: "k9" }, call);
    assert.equal(!unknownKey.ok && unknownKey.code, "unknown-key");
    // A grant signed by an attacker's own key for a fabricated id is refused too.
    const attacker = new GrantSigner({ keys: [{ id: "k1", secret: "x".repeat(40) }] });
    const fake = { ...g, id: "AAAAAAAAAAAAAAAA" };
    const s = attacker.sign({ grantId: fake.id, ...call, expiresAt: g.expiresAt });
    const r = rig.grants.consume({ ...fake, ...s }, call);
    assert.equal(!r.ok && r.code, "bad-signature");
    assert.equal(rig.grants.consume(g, call).ok, true);
  });

  it("refuses a grant whose stored row was altered behind its back", () => {
    const rig = fresh();
    const g = issue(rig);
    rig.db.prepare("UPDATE policy_grants SET resource = 'docker:container/db' WHERE id = ?").run(g.id);
    const r = rig.grants.consume(g, call);
    assert.equal(!r.ok && r.code, "mismatch");
    const tampered = rig.grants.get(g.id)!;
    const t = rig.grants.consume(tampered, { ...call, resource: "docker:container/db" });
    assert.equal(!t.ok && t.code, "bad-signature");
  });

  it("refuses a validly signed grant that was never stored", () => {
    const rig = fresh();
    const g = issue(rig);
    rig.db.prepare("DELETE FROM policy_grants WHERE id = ?").run(g.id);
    const r = rig.grants.consume(g, call);
    assert.equal(!r.ok && r.code, "unknown");
  });

  it("refuses a revoked grant and says who revoked it", () => {
    const rig = fresh();
    const g = issue(rig);
    const rev = rig.grants.revoke(g.id, "bob");
    assert.equal(rev.ok, true);
    const r = rig.grants.consume(g, call);
    assert.equal(!r.ok && r.code, "revoked");
    assert.match(!r.ok ? r.reason : "", /revoked by bob/);
    assert.equal(rig.grants.listActive().length, 0);
  });

  it("refuses an expired grant", () => {
    const rig = fresh();
    const g = issue(rig, { ttlMs: 60_000 });
    rig.clock.now += 60_000;
    const r = rig.grants.consume(g, call);
    assert.equal(!r.ok && r.code, "expired");
    const rev = rig.grants.revoke(g.id, "bob");
    assert.equal(!rev.ok && rev.code, "expired");
  });

  it("clamps the TTL to the maximum, and the maximum to 24 h", () => {
    const rig = fresh({ maxTtlMs: 3_600_000 });
    const g = issue(rig, { ttlMs: 7 * 24 * 3_600_000 });
    assert.equal(g.expiresAt - g.issuedAt, 3_600_000);
    const def = issue(rig);
    assert.equal(def.expiresAt - def.issuedAt, 15 * 60_000);
    const db = openPolicyDb(join(tmp.dir, `g${n++}.db`));
    const signer = new GrantSigner({ keys: [KEY_A] });
    assert.throws(() => new GrantStore({ db, signer, maxTtlMs: GRANT_HARD_MAX_TTL_MS + 1 }), /24 h/);
    assert.throws(
      () => new GrantStore({ db, signer, defaultTtlMs: 2 * 3_600_000, maxTtlMs: 3_600_000 }),
      /default TTL/,
    );
    const big = new GrantStore({ db, signer }).issue({ ...call, mode: "approved", ttlMs: 1e12 });
    assert.equal(big.expiresAt - big.issuedAt, GRANT_HARD_MAX_TTL_MS);
    db.close();
  });

  it("keeps verifying old grants after a key rotation and signs new ones with the new key", () => {
    const path = join(tmp.dir, `g${n++}.db`);
    const before = policyRig(path, { keys: [KEY_A] });
    const old = issue(before);
    const old2 = issue(before);
    before.db.close();
    const rotated = policyRig(path, { keys: [KEY_B, KEY_A] });
    const fresh = issue(rotated);
    assert.equal(old.keyId, "k1");
    assert.equal(fresh.keyId, "k2");
    assert.equal(rotated.grants.consume(old, call).ok, true);
    assert.equal(rotated.grants.consume(fresh, call).ok, true);
    // Once the old key is retired, its grants stop working.
    rotated.db.close();
    const retired = policyRig(path, { keys: [KEY_B] });
    const r = retired.grants.consume(old2, call);
    assert.equal(!r.ok && r.code, "unknown-key");
    retired.db.close();
  });

  it("rejects weak or duplicate signing keys with advice", () => {
    assert.throws(() => new GrantSigner({ keys: [] }), /VIGIL_SECRET/);
    assert.throws(() => new GrantSigner({ keys: [{ id: "k1", secret: "short" }] }), /shorter than 32 bytes/);
    assert.throws(() => new GrantSigner({ keys: [KEY_A, KEY_A] }), /used twice/);
    assert.throws(() => new GrantSigner({ keys: [{ id: "bad id", secret: "x".repeat(32) }] }), /key id/);
  });

  describe("consumed by racing connections", () => {
    const WORKERS = 6;
    let results: { ok: boolean; code?: string }[] = [];
    let rig: PolicyRig;
    let path: string;

    before(async () => {
      path = join(tmp.dir, "race.db");
      rig = policyRig(path);
      const g = issue(rig);
      results = await race(path, rig.clock.now, WORKERS, () => ({ op: "consume", grant: g, call }));
    });
    after(() => rig.db.close());

    it("lets exactly one of them run", () => {
      assert.equal(results.length, WORKERS);
      assert.equal(results.filter((r) => r.ok).length, 1, JSON.stringify(results));
      assert.ok(
        results.filter((r) => !r.ok).every((r) => r.code === "consumed"),
        JSON.stringify(results),
      );
    });
  });
});
