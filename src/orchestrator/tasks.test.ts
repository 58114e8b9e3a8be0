import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { startFakeOpenAi } from "../testing/fake-llm.ts";
import { tempDir } from "../testing/temp-dir.ts";
import { waitFor } from "../testing/wait-for.ts";
import { bootKit, type Kit } from "./testing/orchestrator-kit.ts";

const stopButton = (kit: Kit, thread: string) =>
  waitFor(
    () =>
      kit
        .thread(thread)
        .find((c) => c.title?.startsWith("Task "))
        ?.buttons.find((b) => b.label === "Stop"),
    {
      what: "a Stop button",
    },
  );
const settled = (kit: Kit, thread: string) =>
  waitFor(() => kit.thread(thread).find((c) => c.title?.startsWith("Task ") && c.state), {
    what: "a settled card",
  });

describe("Stop", () => {
  it("aborts a slow model call", async () => {
    using dir = tempDir();
    const fake = await startFakeOpenAi({ script: [{ text: "too late", delayMs: 30_000 }] });
    const kit = await bootKit({
      dbPath: join(dir.path, "v.db"),
      dataDir: dir.path,
      llmBaseUrl: fake.baseUrl,
    });
    try {
      const t0 = Date.now();
      await kit.say("@observer think hard", { messageId: "1" });
      await waitFor(() => fake.requests.length === 1 || undefined, { what: "the model call" });
      await kit.click((await stopButton(kit, "1")).id);
      const card = await settled(kit, "1");
      assert.match(card.state ?? "", /^Stopped by bob/);
      assert.deepEqual(
        card.buttons.map((b) => b.label),
        ["Re-run"],
      );
      assert.ok(Date.now() - t0 < 5000, "the model call was aborted, not awaited");
      assert.equal(kit.tasks.list({ limit: 1 })[0].status, "stopped");
      assert.ok(!kit.thread("1").some((c) => c.markdown === "too late"));
    } finally {
      await kit.close();
      await fake.close();
    }
  });

  it("aborts a slow tool, whether run directly or by the model", async () => {
    using dir = tempDir();
    const fake = await startFakeOpenAi({
      script: (_req, i) => (i === 0 ? { toolCalls: [{ name: "slow", arguments: {} }] } : { text: "never" }),
    });
    const kit = await bootKit({
      dbPath: join(dir.path, "v.db"),
      dataDir: dir.path,
      llmBaseUrl: fake.baseUrl,
    });
    try {
      await kit.say("@observer slow", { messageId: "1" });
      await waitFor(() => kit.effects.slowStarted === 1 || undefined, { what: "the tool to start" });
      await kit.click((await stopButton(kit, "1")).id);
      assert.match((await settled(kit, "1")).state ?? "", /^Stopped by bob/);
      assert.equal(kit.effects.slowAborted, 1);

      await kit.say("@observer wait for the slow tool", { messageId: "2" });
      await waitFor(() => kit.effects.slowStarted === 2 || undefined, { what: "the model's tool call" });
      await kit.click((await stopButton(kit, "2")).id);
      assert.match((await settled(kit, "2")).state ?? "", /^Stopped by bob/);
      assert.equal(kit.effects.slowAborted, 2);
      assert.equal(fake.requests.length, 1, "no model turn after Stop");
    } finally {
      await kit.close();
      await fake.close();
    }
  });
});

describe("tasks", () => {
  it("lists running tasks, shows one, and re-runs it", async () => {
    using dir = tempDir();
    const kit = await bootKit({ dbPath: join(dir.path, "v.db"), dataDir: dir.path });
    try {
      await kit.say("@observer slow ms=60000", { messageId: "1" });
      await waitFor(() => kit.effects.slowStarted === 1 || undefined, { what: "slow start" });
      const id = kit.tasks.list({ status: "running" })[0].id;
      await kit.say("tasks", { messageId: "2" });
      const list = kit.thread("2")[0];
      assert.match(list.markdown, new RegExp(`\`${id}\` \\*\\*observer\\*\\* \`slow\``));
      await kit.click(list.buttons[0].id);
      await settled(kit, "1");

      await kit.say("tasks", { messageId: "3" });
      assert.match(kit.thread("3")[0].markdown, /No tasks are running/);

      await kit.say(`task ${id}`, { messageId: "4" });
      const shown = kit.thread("4")[0];
      assert.match(shown.markdown, /`slow` \{"ms":60000\} → \*\*stopped\*\*/);
      assert.deepEqual(
        shown.fields.find((f) => f.label === "Status"),
        { label: "Status", value: "stopped" },
      );

      // Re-run: the same tool and arguments, through the invoker again.
      await kit.say("@observer echo text=once", { messageId: "5" });
      const first = await settled(kit, "5");
      const rerun = first.buttons.find((b) => b.label === "Re-run");
      assert.ok(rerun);
      await kit.click(rerun.id);
      await waitFor(() => kit.effects.echoed.length === 2 || undefined, { what: "the re-run" });
      assert.deepEqual(kit.effects.echoed, ["once", "once"]);
      await waitFor(() => kit.tasks.list({ status: "finished" }).length === 2 || undefined, {
        what: "two finished",
      });
      assert.equal(
        kit.tasks.list({ limit: 1 })[0].requester.userId,
        "U2",
        "a re-run runs for whoever clicked",
      );
    } finally {
      await kit.close();
    }
  });

  it("marks tasks left running by a restart as interrupted", async () => {
    using dir = tempDir();
    const dbPath = join(dir.path, "v.db");
    let kit = await bootKit({ dbPath, dataDir: dir.path });
    const session = kit.store.sessions.openThread("slack", "C1", "9");
    const orphan = kit.tasks.create({
      sessionId: session.id,
      operator: "observer",
      kind: "agent",
      request: "x",
      requester: { platform: "slack", userId: "U1" },
    });
    await kit.close();
    kit = await bootKit({ dbPath, dataDir: dir.path });
    try {
      assert.equal(kit.tasks.get(orphan.id)?.status, "interrupted");
    } finally {
      await kit.close();
    }
  });
});
