import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { startFakeAnthropic, startFakeOpenAi } from "../testing/fake-llm.ts";
import { tempDir } from "../testing/temp-dir.ts";
import { waitFor } from "../testing/wait-for.ts";
import { lastUser, systemPrompt, toolResults } from "./testing/fake-body.ts";
import { bootKit, type Kit } from "./testing/orchestrator-kit.ts";

const finalState = (kit: Kit, thread: string) =>
  waitFor(() => kit.thread(thread).find((c) => c.title?.startsWith("Task ") && c.state)?.state, {
    what: `a settled task card in ${thread}`,
  });

describe("orchestrator without a model", () => {
  it("explains how to configure a model for free text, while direct tool use works", async () => {
    using dir = tempDir();
    const kit = await bootKit({ dbPath: join(dir.path, "v.db"), dataDir: dir.path });
    try {
      await kit.say("what is running?", { messageId: "1" });
      assert.match(kit.thread("1")[0].markdown, /providers:.*vigil\.yaml[\s\S]*models: { default: /);
      assert.equal(kit.tasks.list().length, 0);

      await kit.say("@observer echo text=hi", { messageId: "2" });
      assert.match(await finalState(kit, "2"), /^Finished/);
      assert.match(kit.thread("2")[0].markdown, /echo: hi/);

      await kit.say('run echo text="hello world"', { messageId: "3" });
      await finalState(kit, "3");
      assert.deepEqual(kit.effects.echoed, ["hi", "hello world"]);
      const task = kit.tasks.list({ limit: 1 })[0];
      assert.equal(
        task.operator,
        "observer",
        "run picks the least privileged operator that may use the tool",
      );
      assert.deepEqual(task.args, { text: "hello world" });

      await kit.say("@observer echo twice", { messageId: "5" });
      assert.match(kit.thread("5")[0].markdown, /`twice` is not key=value/);

      await kit.say("@observer what is up?", { messageId: "4" });
      assert.match(kit.thread("4")[0].markdown, /No model is configured for \*\*observer\*\*/);
    } finally {
      await kit.close();
    }
  });

  it("refuses a tool the operator may not use, and one above its ceiling", async () => {
    using dir = tempDir();
    const kit = await bootKit({ dbPath: join(dir.path, "v.db"), dataDir: dir.path });
    try {
      await kit.say("@observer danger.delete path=/x", { messageId: "1" });
      assert.match(kit.thread("1")[0].markdown, /may not use `danger.delete`/);
      // janitor has an exec ceiling; give observer the tool and its read ceiling denies it.
      kit.operators.set("observer", { tools: ["danger.*"] }, "test");
      await kit.say("run @observer danger.delete path=/x", { messageId: "2" });
      assert.match(await finalState(kit, "2"), /^Failed/);
      assert.match(kit.thread("2")[0].markdown, /denied: danger.delete needs exec/);
      assert.deepEqual(kit.effects.deleted, []);
    } finally {
      await kit.close();
    }
  });
});

describe("orchestrator with a model", () => {
  it("routes @name, runs the model's tool call and answers with its result", async () => {
    using dir = tempDir();
    const fake = await startFakeOpenAi({
      script: (req) =>
        toolResults(req.body).length === 0
          ? { toolCalls: [{ name: "echo", arguments: { text: "ping" } }] }
          : { text: `the tool said ${toolResults(req.body)[0]}` },
    });
    const kit = await bootKit({
      dbPath: join(dir.path, "v.db"),
      dataDir: dir.path,
      llmBaseUrl: fake.baseUrl,
    });
    try {
      await kit.say("@janitor please echo ping", { messageId: "1" });
      await waitFor(() => kit.thread("1").find((c) => c.markdown === "the tool said echo: ping"), {
        what: "answer",
      });
      assert.equal(
        systemPrompt(fake.requests[0].body).split("\n")[0],
        "You are the janitor.",
        "system prompt first",
      );
      assert.equal(lastUser(fake.requests[0].body), "please echo ping");
      assert.deepEqual(
        fake.requests[0].body.tools.map((t: { function: { name: string } }) => t.function.name).sort(),
        ["danger_delete", "echo", "leak"],
        "only the operator's tools are offered",
      );
      assert.equal(kit.store.sessions.findByThread("slack", "C1", "1")?.operator, "janitor");
      const task = kit.tasks.list({ limit: 1 })[0];
      assert.equal(task.status, "finished");
      assert.deepEqual(
        task.steps.map((s) => s.kind),
        ["model", "tool", "model"],
      );
      assert.equal(task.tokens, 20);
    } finally {
      await kit.close();
      await fake.close();
    }
  });

  it("routes free text by the router model and remembers the operator in the thread", async () => {
    using dir = tempDir();
    const fake = await startFakeOpenAi({
      script: (req) =>
        systemPrompt(req.body).startsWith("You route")
          ? { text: "janitor" }
          : { text: `answer to ${lastUser(req.body)}` },
    });
    const kit = await bootKit({
      dbPath: join(dir.path, "v.db"),
      dataDir: dir.path,
      llmBaseUrl: fake.baseUrl,
      routeByModel: true,
    });
    try {
      await kit.say("tidy up please", { messageId: "1" });
      await waitFor(() => kit.thread("1").find((c) => c.markdown === "answer to tidy up please"), {
        what: "answer",
      });
      assert.match(systemPrompt(fake.requests[0].body), /- janitor: Cleans up[\s\S]*- observer: Read-only/);
      assert.match(systemPrompt(fake.requests[1].body), /^You are the janitor/);
      await kit.say("and again", { messageId: "2", thread: "1" });
      await waitFor(() => kit.thread("1").find((c) => c.markdown === "answer to and again"), {
        what: "second answer",
      });
      assert.equal(fake.requests.length, 3, "the thread's operator is remembered: no second routing call");
      const history = fake.requests[2].body.messages.map((m: { role: string }) => m.role);
      assert.deepEqual(
        history,
        ["system", "user", "assistant", "user"],
        "history without task cards, then the request",
      );
    } finally {
      await kit.close();
      await fake.close();
    }
  });

  it("asks with buttons on a close lexical call and remembers the choice across a restart", async () => {
    using dir = tempDir();
    const fake = await startFakeOpenAi({
      script: (req) => ({ text: `${systemPrompt(req.body).split(".")[0]} here` }),
    });
    const dbPath = join(dir.path, "v.db");
    let kit = await bootKit({ dbPath, dataDir: dir.path, llmBaseUrl: fake.baseUrl });
    try {
      // Matches nothing in either description: a tie, so Vigil asks.
      await kit.say("hmm, thoughts?", { messageId: "1" });
      const ask = kit.thread("1")[0];
      assert.equal(ask.title, "Which operator?");
      assert.deepEqual(
        ask.buttons.map((b) => b.label),
        ["janitor", "observer"],
      );
      assert.equal(fake.requests.length, 0);
      await kit.click(ask.buttons[0].id);
      await waitFor(() => kit.thread("1").find((c) => c.markdown === "You are the janitor here"), {
        what: "answer",
      });
      assert.match(kit.thread("1")[0].state ?? "", /janitor chosen by bob/);

      // A clear lexical winner needs no question.
      await kit.say("check the status pages", { messageId: "2" });
      await waitFor(() => kit.thread("2").find((c) => c.markdown === "You are the observer here"), {
        what: "observer",
      });
    } finally {
      await kit.close();
    }
    kit = await bootKit({ dbPath, dataDir: dir.path, llmBaseUrl: fake.baseUrl });
    try {
      await kit.say("check the status pages", { messageId: "3", thread: "1" });
      await waitFor(() => kit.thread("1").find((c) => c.markdown === "You are the janitor here"), {
        what: "remembered",
      });
    } finally {
      await kit.close();
      await fake.close();
    }
  });

  it("stops at the step limit", async () => {
    using dir = tempDir();
    const fake = await startFakeOpenAi({
      script: [{ toolCalls: [{ name: "echo", arguments: { text: "again" } }] }],
    });
    const kit = await bootKit({
      dbPath: join(dir.path, "v.db"),
      dataDir: dir.path,
      llmBaseUrl: fake.baseUrl,
      limits: { maxSteps: 3 },
    });
    try {
      await kit.say("@observer loop forever", { messageId: "1" });
      await waitFor(() => kit.thread("1").find((c) => /stopped after 3 steps/.test(c.markdown)), {
        what: "limit",
      });
      assert.equal(fake.requests.length, 3);
      assert.equal(kit.effects.echoed.length, 3);
      await finalState(kit, "1");
      assert.equal(kit.tasks.list({ limit: 1 })[0].status, "failed");
    } finally {
      await kit.close();
      await fake.close();
    }
  });

  it("refuses further turns once the thread's token budget is spent", async () => {
    using dir = tempDir();
    const fake = await startFakeOpenAi({
      script: [{ text: "ok", usage: { inputTokens: 40, outputTokens: 20 } }],
    });
    const kit = await bootKit({
      dbPath: join(dir.path, "v.db"),
      dataDir: dir.path,
      llmBaseUrl: fake.baseUrl,
      limits: { sessionTokenBudget: 100 },
    });
    try {
      await kit.say("@observer one", { messageId: "1" });
      await finalState(kit, "1");
      await kit.say("two", { messageId: "2", thread: "1" });
      await waitFor(() => kit.tasks.list({ status: "finished" }).length === 2 || undefined, {
        what: "second task",
      });
      await kit.say("three", { messageId: "3", thread: "1" });
      await waitFor(
        () => kit.thread("1").find((c) => /spent its token budget \(120 of 100 tokens\)/.test(c.markdown)),
        {
          what: "budget refusal",
        },
      );
      assert.equal(fake.requests.length, 2, "no model call after the budget is spent");
      await kit.say("@observer four", { messageId: "4" });
      await finalState(kit, "4");
      assert.equal(fake.requests.length, 3, "a new thread has its own budget");
    } finally {
      await kit.close();
      await fake.close();
    }
  });
});

describe("orchestrator with an Anthropic-format model", () => {
  it("feeds tool results back and gets the answer", async () => {
    using dir = tempDir();
    const fake = await startFakeAnthropic({
      apiKey: "test-key",
      script: (req) => {
        const results = req.body.messages.flatMap((m: { content: unknown }) =>
          Array.isArray(m.content) ? m.content.filter((b: { type: string }) => b.type === "tool_result") : [],
        );
        return results.length === 0
          ? {
              toolCalls: [
                { name: "echo", arguments: { text: "a" } },
                { name: "echo", arguments: { text: "b" } },
              ],
            }
          : { text: `got ${results.length} results` };
      },
    });
    const kit = await bootKit({
      dbPath: join(dir.path, "v.db"),
      dataDir: dir.path,
      llmBaseUrl: fake.baseUrl,
      llmKind: "anthropic",
    });
    try {
      await kit.say("@observer echo twice", { messageId: "1" });
      await waitFor(() => kit.thread("1").find((c) => c.markdown === "got 2 results"), { what: "answer" });
      assert.deepEqual(kit.effects.echoed, ["a", "b"]);
      assert.equal(
        fake.requests[0].body.system?.[0]?.text?.split("\n")[0] ?? fake.requests[0].body.system,
        "You are the observer.",
      );
    } finally {
      await kit.close();
      await fake.close();
    }
  });
});
