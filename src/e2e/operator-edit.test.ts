// An admin edits an operator from chat: the edit takes effect at once (its tools follow a new
// working directory) and is audited; a non-admin cannot edit.

import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { startConsoleSession } from "../testing/console-session.ts";
import { tempDir } from "../testing/temp-dir.ts";

describe("editing an operator from chat", () => {
  it("rebinds its file tools to a new working directory and audits the edit", async () => {
    using dir = tempDir();
    const elsewhere = join(dir.path, "elsewhere");
    mkdirSync(elsewhere);
    writeFileSync(join(elsewhere, "notes.txt"), "found in the new working directory");
    const session = await startConsoleSession({ VIGIL_DATA_DIR: dir.path, HOME: dir.path, USER: "ops" });
    try {
      await session.say(
        "run @shell filesystem.read path=notes.txt",
        /does not exist|no such|not found|ENOENT/i,
      );
      await session.say(`operator set shell workdir ${elsewhere}`, /shell/);
      await session.say("run @shell filesystem.read path=notes.txt", /found in the new working directory/);
      const edits = session.vigil.audit.query({ operator: "shell", decision: "info", limit: 10 });
      assert.match(edits[0]?.reason ?? "", /operator shell edited: workingDirectory/);
      assert.equal(edits[0]?.actor, "console:ops");
    } finally {
      await session.close();
    }
  });

  it("refuses an edit by someone who is not an admin", async () => {
    using dir = tempDir();
    const config = join(dir.path, "vigil.yaml");
    // The console user is configured as an operator only, so it is not the implicit admin.
    writeFileSync(config, "access:\n  users:\n    - { name: ops, roles: [operator], console: [ops] }\n");
    const session = await startConsoleSession({
      VIGIL_DATA_DIR: dir.path,
      VIGIL_CONFIG: config,
      HOME: dir.path,
      USER: "ops",
    });
    try {
      await session.say("operator set shell ceiling elevate", /admin/i);
      assert.equal(session.vigil.audit.query({ operator: "shell", decision: "info", limit: 10 }).length, 0);
    } finally {
      await session.close();
    }
  });
});
