import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import Database from "better-sqlite3";
import { SecretBox } from "../store/secret-box.ts";
import { ProviderStore } from "./provider-store.ts";

const MIGRATION = join(import.meta.dirname, "..", "store", "migrations", "0041-llm-providers.sql");

describe("provider store", () => {
  const dir = mkdtempSync(join(tmpdir(), "vigil-providers-"));
  const path = join(dir, "vigil.db");
  const db = new Database(path);
  db.exec(readFileSync(MIGRATION, "utf8"));
  const box = new SecretBox("a-test-secret-of-enough-length");
  const store = new ProviderStore({ db, box });
  after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps the API key sealed at rest and gives it back", () => {
    store.save({ name: "claude", kind: "anthropic", apiKey: "sk-ant-very-secret", model: "claude-test" });
    store.save({ name: "local", kind: "ollama", model: "llama3" });
    db.pragma("wal_checkpoint(TRUNCATE)");
    assert.equal(
      readFileSync(path).includes("sk-ant-very-secret"),
      false,
      "the key is not in the file in the clear",
    );
    assert.deepEqual(store.get("claude"), {
      name: "claude",
      kind: "anthropic",
      apiKey: "sk-ant-very-secret",
      model: "claude-test",
    });
    assert.deepEqual(
      store.list().map((p) => p.name),
      ["claude", "local"],
    );
    assert.equal(store.get("local")?.apiKey, undefined);
  });

  it("refuses a sealed key moved to another provider's row", () => {
    db.prepare(
      "UPDATE llm_providers SET api_key_sealed = (SELECT api_key_sealed FROM llm_providers WHERE name = 'claude') WHERE name = 'local'",
    ).run();
    assert.throws(() => store.get("local"), /the API key of provider local could not be decrypted/);
  });

  it("names the secret to use when VIGIL_SECRET changed", () => {
    const other = new ProviderStore({ db, box: new SecretBox("another-secret-of-enough-length") });
    assert.throws(() => other.get("claude"), /start Vigil with the secret this data was created with/);
    assert.equal(store.remove("claude"), true);
    assert.equal(store.get("claude"), undefined);
  });
});
