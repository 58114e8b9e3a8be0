import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startFakeAnthropic, startFakeOpenAi } from "./fake-llm.ts";

async function post(url: string, body: object, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

describe("fake OpenAI server", () => {
  it("streams tool-call arguments in fragments that join to the scripted JSON", async () => {
    const fake = await startFakeOpenAi({
      script: [{ toolCalls: [{ id: "c1", name: "echo", arguments: { message: "hello world" } }] }],
    });
    try {
      const res = await post(`${fake.baseUrl}/chat/completions`, { model: "m", stream: true, messages: [] });
      assert.equal(res.headers.get("content-type"), "text/event-stream");
      const events = (await res.text()).split("\n\n").filter(Boolean);
      assert.equal(events.at(-1), "data: [DONE]");
      const deltas = events.slice(0, -1).map((e) => JSON.parse(e.slice("data: ".length)).choices[0]);
      const fragments = deltas.flatMap((d) => d.delta.tool_calls ?? []).map((t) => t.function.arguments);
      assert.ok(fragments.filter(Boolean).length > 1, "arguments arrive in more than one piece");
      assert.deepEqual(JSON.parse(fragments.join("")), { message: "hello world" });
      assert.equal(deltas.at(-1).finish_reason, "tool_calls");
    } finally {
      await fake.close();
    }
  });

  it("records requests, checks the bearer key and knows its models", async () => {
    const fake = await startFakeOpenAi({
      apiKey: "k",
      models: ["m"],
      script: [{ text: "a" }, { text: "b" }],
    });
    try {
      const url = `${fake.baseUrl}/chat/completions`;
      assert.equal((await post(url, { model: "m", messages: [] })).status, 401);
      assert.equal(
        (await post(url, { model: "x", messages: [] }, { authorization: "Bearer k" })).status,
        404,
      );
      const replies: string[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await post(
          url,
          { model: "m", messages: [{ role: "user", content: `${i}` }] },
          { authorization: "Bearer k" },
        );
        const json = (await res.json()) as { choices: { message: { content: string } }[] };
        replies.push(json.choices[0].message.content);
      }
      assert.deepEqual(replies, ["a", "b", "b"], "replies are used in order, the last one repeats");
      assert.equal(fake.requests.length, 5);
      assert.equal(fake.requests[4].body.messages[0].content, "2");
    } finally {
      await fake.close();
    }
  });
});

describe("fake Anthropic server", () => {
  it("answers tool_use blocks and checks x-api-key", async () => {
    const fake = await startFakeAnthropic({
      apiKey: "ak",
      script: [{ text: "t", toolCalls: [{ id: "tu", name: "echo", arguments: { a: 1 } }] }],
    });
    try {
      const url = `${fake.baseUrl}/messages`;
      assert.equal((await post(url, { model: "c", messages: [] }, { "x-api-key": "no" })).status, 401);
      const body = (await (await post(url, { model: "c", messages: [] }, { "x-api-key": "ak" })).json()) as {
        stop_reason: string;
        content: unknown[];
      };
      assert.equal(body.stop_reason, "tool_use");
      assert.deepEqual(body.content[1], { type: "tool_use", id: "tu", name: "echo", input: { a: 1 } });
    } finally {
      await fake.close();
    }
  });
});
