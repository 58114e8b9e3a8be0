import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { startFakeOpenAi } from "../testing/fake-llm.ts";
import { tempDir } from "../testing/temp-dir.ts";
import { waitFor } from "../testing/wait-for.ts";
import { lastUser, toolResults } from "./testing/fake-body.ts";
import { bootKit } from "./testing/orchestrator-kit.ts";

describe("concurrency", () => {
  it("runs 100 threads at once on one adapter with no cross-talk", async () => {
    using dir = tempDir();
    // Each thread's model first echoes its own token, then answers with the request and the tool's result.
    const fake = await startFakeOpenAi({
      script: (req) => {
        const token = lastUser(req.body).replace("echo ", "");
        const results = toolResults(req.body);
        return results.length === 0
          ? { toolCalls: [{ name: "echo", arguments: { text: token } }] }
          : { text: `answer ${token} / ${results[0]}` };
      },
    });
    const kit = await bootKit({
      dbPath: join(dir.path, "v.db"),
      dataDir: dir.path,
      llmBaseUrl: fake.baseUrl,
    });
    try {
      const n = 100;
      await Promise.all(
        Array.from({ length: n }, (_, i) =>
          kit.say(`@observer echo text=t${i}`, { messageId: `th${i}`, user: { id: `U${i}`, name: `u${i}` } }),
        ),
      );
      // Those were direct runs; now free text in the same threads goes to the remembered operator's model.
      await Promise.all(
        Array.from({ length: n }, (_, i) =>
          kit.say(`echo t${i}`, { messageId: `th${i}-2`, thread: `th${i}` }),
        ),
      );
      await waitFor(() => kit.tasks.list({ status: "finished", limit: 1000 }).length === 2 * n || undefined, {
        what: "all tasks",
        timeoutMs: 20_000,
      });
      for (let i = 0; i < n; i++) {
        const cards = kit.thread(`th${i}`);
        const answers = cards.filter((c) => c.markdown.startsWith("answer "));
        assert.deepEqual(
          answers.map((c) => c.markdown),
          [`answer t${i} / echo: t${i}`],
          `thread th${i} got only its own answer`,
        );
        assert.ok(cards.some((c) => c.markdown.includes(`echo: t${i}`) && c.title?.startsWith("Task ")));
        assert.ok(!cards.some((c) => c.markdown.includes(`t${i + n}`)));
      }
      assert.equal(kit.effects.echoed.length, 2 * n);
    } finally {
      await kit.close();
      await fake.close();
    }
  });
});
