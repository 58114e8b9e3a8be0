import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { openStore } from "../store/index.ts";
import { tempDir } from "../testing/temp-dir.ts";
import { pickLexically, rankOperators } from "./lexical-router.ts";
import { loadOperatorsFromDir, OperatorConfigError } from "./load-operators.ts";
import { OperatorEditError, OperatorRepository } from "./operator-repository.ts";

const SHIPPED = join(import.meta.dirname, "..", "..", "config", "operators");

function loadOne(yaml: string, file = "bad.yaml"): OperatorConfigError {
  using dir = tempDir();
  writeFileSync(join(dir.path, file), yaml);
  try {
    loadOperatorsFromDir(dir.path, { dataDir: "/data" });
  } catch (err) {
    assert.ok(err instanceof OperatorConfigError, `expected OperatorConfigError, got ${err}`);
    return err;
  }
  assert.fail("the file loaded without error");
}

describe("operator config", () => {
  it("loads the shipped observer, docker and shell operators with their ceilings", () => {
    const ops = loadOperatorsFromDir(SHIPPED, { dataDir: "/data" });
    const byName = Object.fromEntries(ops.map((o) => [o.name, o]));
    assert.deepEqual(Object.keys(byName).sort(), ["docker", "observer", "shell"]);
    assert.equal(byName.observer.ceiling, "read");
    assert.deepEqual(byName.observer.tools.slice(0, 4), [
      "docker.list",
      "docker.logs",
      "http.check",
      "filesystem.read",
    ]);
    assert.equal(byName.docker.ceiling, "write");
    assert.equal(byName.docker.trust, "strict");
    assert.equal(byName.shell.ceiling, "exec");
    assert.equal(
      byName.shell.workingDirectory,
      "/data/work/shell",
      "the working directory defaults to <data>/work/<name>",
    );
  });

  it("names the file and the field of a bad ceiling", () => {
    const err = loadOne("description: d\nsystemPrompt: p\nceiling: root\n");
    assert.match(err.file, /bad\.yaml$/);
    assert.equal(err.field, "ceiling");
    assert.match(err.message, /bad\.yaml: ceiling: .*read.*write.*exec.*elevate/);
  });

  it("names a missing field and an unknown one", () => {
    assert.equal(loadOne("systemPrompt: p\nceiling: read\n").field, "description");
    const unknown = loadOne("description: d\nsystemPrompt: p\nceiling: read\nceilling: exec\n");
    assert.match(unknown.message, /ceilling/);
  });

  it("refuses a name that differs from the file name, bad YAML, and a bad model", () => {
    assert.equal(loadOne("name: other\ndescription: d\nsystemPrompt: p\nceiling: read\n").field, "name");
    assert.match(loadOne("description: [unclosed\n").message, /bad\.yaml: not valid YAML/);
    const model = loadOne("description: d\nsystemPrompt: p\nceiling: read\nmodel: gpt-4o\n");
    assert.equal(model.field, "model");
    assert.match(model.message, /provider\/model-id/);
  });
});

describe("operator repository", () => {
  it("layers admin edits over the YAML, keeps them across a restart, and resets them", () => {
    using dir = tempDir();
    const defaults = loadOperatorsFromDir(SHIPPED, { dataDir: dir.path });
    const path = join(dir.path, "v.db");
    let store = openStore(path);
    let repo = new OperatorRepository({ db: store.db, defaults, dataDir: dir.path });
    const edited = repo.set(
      "observer",
      { model: "openai/gpt-4o-mini", description: "Looks, never touches." },
      "slack:U1",
    );
    assert.deepEqual(edited.model, { provider: "openai", model: "gpt-4o-mini" });
    store.close();

    store = openStore(path);
    repo = new OperatorRepository({ db: store.db, defaults, dataDir: dir.path });
    assert.equal(repo.get("observer")?.description, "Looks, never touches.");
    assert.equal(repo.get("observer")?.ceiling, "read", "fields not edited keep their YAML value");
    assert.ok(repo.isEdited("observer"));
    assert.throws(
      () => repo.set("observer", { ceiling: "root" as never }, "slack:U1"),
      (err: Error) => {
        return err instanceof OperatorEditError && /ceiling/.test(err.message);
      },
    );
    assert.equal(repo.set("observer", { model: null }, "slack:U1").model, undefined, "model none removes it");
    assert.ok(repo.reset("observer"));
    assert.equal(repo.get("observer")?.description, defaults.find((o) => o.name === "observer")?.description);
    store.close();
  });

  it("creates an operator only when every required field is given", () => {
    using dir = tempDir();
    const store = openStore(join(dir.path, "v.db"));
    const repo = new OperatorRepository({ db: store.db, defaults: [], dataDir: dir.path });
    assert.throws(() => repo.set("dba", { description: "databases" }, "u"), /systemPrompt|ceiling/);
    repo.set(
      "dba",
      { description: "databases", systemPrompt: "p", ceiling: "read", tools: ["mcp.pg.*"] },
      "u",
    );
    assert.deepEqual(
      repo.list().map((o) => o.name),
      ["dba"],
    );
    store.close();
  });
});

describe("lexical routing", () => {
  const ops = loadOperatorsFromDir(SHIPPED, { dataDir: "/data" });

  it("picks the operator whose description and tools match", () => {
    assert.deepEqual(pickLexically("restart the web container", ops), {
      kind: "chosen",
      operator: "docker",
      ranking: rankOperators("restart the web container", ops),
    });
    const shell = pickLexically("run a shell command to list files", ops);
    assert.equal(shell.kind === "chosen" && shell.operator, "shell");
  });

  it("asks when the best two are within 15%", () => {
    const pick = pickLexically("show me the logs of the web container", ops);
    assert.equal(pick.kind, "ask");
    assert.deepEqual(pick.kind === "ask" && [...pick.candidates].sort(), ["docker", "observer"]);
  });

  it("asks among all when nothing matches", () => {
    const pick = pickLexically("zzz qqq", ops);
    assert.equal(pick.kind, "ask");
    assert.equal(pick.kind === "ask" && pick.candidates.length, 3);
  });
});
