import assert from "node:assert/strict";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ErrorCodes } from "../core/errors.ts";
import { openStore } from "../store/index.ts";
import { SecretBox } from "../store/secret-box.ts";
import { tempDir } from "../testing/temp-dir.ts";
import { loadSecret, verifySecret } from "./secret.ts";

describe("the installation secret", () => {
  it("is generated on first run into secret.key with mode 0600, then reused", () => {
    using dir = tempDir();
    const first = loadSecret(dir.path, {});
    assert.equal(first.source, "generated");
    const path = join(dir.path, "secret.key");
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.ok(first.secret.length >= 40);
    assert.equal(readFileSync(path, "utf8").trim(), first.secret);
    const second = loadSecret(dir.path, {});
    assert.deepEqual([second.source, second.secret], ["file", first.secret]);
  });

  it("prefers VIGIL_SECRET and does not write a file then", () => {
    using dir = tempDir();
    const s = loadSecret(dir.path, { VIGIL_SECRET: "a-long-enough-secret-value" });
    assert.deepEqual([s.source, s.secret], ["env", "a-long-enough-secret-value"]);
    assert.throws(() => statSync(join(dir.path, "secret.key")));
  });

  it("refuses an empty secret file with advice", () => {
    using dir = tempDir();
    writeFileSync(join(dir.path, "secret.key"), "\n");
    assert.throws(() => loadSecret(dir.path, {}), /secret\.key is empty/);
  });

  it("refuses a secret that no longer decrypts stored data, naming what failed", () => {
    using dir = tempDir();
    const dbPath = join(dir.path, "vigil.db");
    const store = openStore(dbPath);
    verifySecret(new SecretBox("the-original-secret-value"), store.meta, dbPath);
    verifySecret(new SecretBox("the-original-secret-value"), store.meta, dbPath);
    assert.throws(
      () => verifySecret(new SecretBox("a-different-secret-value"), store.meta, dbPath),
      (err: { code?: string; message: string }) => {
        assert.equal(err.code, ErrorCodes.SECRET_MISMATCH);
        assert.match(err.message, /VIGIL_SECRET does not decrypt the data in .*vigil\.db \(the secret check/);
        return true;
      },
    );
    store.close();
  });

  it("seals and opens values, and a tampered value fails", () => {
    const box = new SecretBox("the-original-secret-value");
    const sealed = box.seal("hunter2", "provider:openai");
    assert.equal(box.open(sealed, "x", "provider:openai"), "hunter2");
    assert.throws(
      () => box.open(sealed, "the openai key", "provider:other"),
      /the openai key could not be decrypted/,
    );
    const parts = sealed.split(":");
    parts[4] = Buffer.from("evil").toString("base64url");
    assert.throws(() => box.open(parts.join(":"), "the openai key"), /could not be decrypted/);
    assert.throws(() => new SecretBox("short"), /too short/);
  });
});
