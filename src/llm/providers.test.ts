import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, before, describe, it } from "node:test";
import { type FakeLlmServer, startFakeAnthropic, startFakeOpenAi } from "../testing/fake-llm.ts";
import { waitFor } from "../testing/wait-for.ts";
import type { LlmMessage, LlmToolSpec } from "./llm-client.ts";
import { type ProviderKind, providerConfigSchema } from "./provider-config.ts";
import { createLlmClient, testProvider } from "./providers.ts";

const OPENAI_FORMAT_KINDS: ProviderKind[] = [
  "openai",
  "ollama",
  "lmstudio",
  "vllm",
  "openrouter",
  "xai",
  "openai-compatible",
];

const echoTool: LlmToolSpec = {
  name: "mcp.everything.echo",
  description: "Echoes back the input",
  inputSchema: { type: "object", properties: { message: { type: "string" } }, required: ["message"] },
};

const history: LlmMessage[] = [
  { role: "system", content: "You are Vigil." },
  { role: "user", content: "echo hi" },
  {
    role: "assistant",
    content: "",
    toolCalls: [{ id: "call_1", name: "mcp.everything.echo", arguments: { message: "hi" } }],
  },
  { role: "tool", toolCallId: "call_1", toolName: "mcp.everything.echo", content: "Echo: hi" },
];

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("providers over the OpenAI chat-completions format", () => {
  let fake: FakeLlmServer;
  before(async () => {
    fake = await startFakeOpenAi({
      apiKey: "sk-test",
      models: ["m1"],
      script: (request) => {
        const last = request.body.messages.at(-1);
        if (last.role === "tool") return { text: `saw ${last.content}` };
        if (request.body.tools)
          return {
            toolCalls: [
              { id: "call_9", name: request.body.tools[0].function.name, arguments: { message: "hi" } },
            ],
          };
        return { text: "hello there", usage: { inputTokens: 11, outputTokens: 2 } };
      },
    });
  });
  after(() => fake.close());

  for (const kind of OPENAI_FORMAT_KINDS) {
    for (const stream of [false, true]) {
      it(`${kind}${stream ? " (streaming)" : ""} round-trips a text reply and a tool call`, async () => {
        const client = createLlmClient({ name: "p", kind, baseUrl: fake.baseUrl, apiKey: "sk-test", stream });
        const text = await client.complete({ model: "m1", messages: [{ role: "user", content: "hi" }] });
        assert.equal(text.text, "hello there");
        assert.deepEqual(text.toolCalls, []);
        if (!stream) assert.deepEqual(text.usage, { inputTokens: 11, outputTokens: 2 });

        const call = await client.complete({
          model: "m1",
          messages: [{ role: "user", content: "echo hi" }],
          tools: [echoTool],
        });
        assert.equal(call.text, "");
        assert.deepEqual(call.toolCalls, [
          { id: "call_9", name: "mcp.everything.echo", arguments: { message: "hi" } },
        ]);
        const seen = fake.requests.at(-1)!.body;
        assert.equal(
          seen.tools[0].function.name,
          "mcp_everything_echo",
          "dots are not allowed in provider tool names",
        );
        assert.deepEqual(seen.tools[0].function.parameters.required, ["message"]);
        assert.equal(seen.stream === true, stream);

        const followUp = await client.complete({ model: "m1", messages: history, tools: [echoTool] });
        assert.equal(followUp.text, "saw Echo: hi");
        const msgs = fake.requests.at(-1)!.body.messages;
        assert.deepEqual(
          msgs.map((m: { role: string }) => m.role),
          ["system", "user", "assistant", "tool"],
        );
        assert.equal(msgs[2].tool_calls[0].function.name, "mcp_everything_echo");
        assert.deepEqual(JSON.parse(msgs[2].tool_calls[0].function.arguments), { message: "hi" });
        assert.equal(msgs[3].tool_call_id, "call_1");
      });
    }
  }

  it("sends the key as a bearer token and explains a refused key", async () => {
    const client = createLlmClient({ name: "local", kind: "vllm", baseUrl: fake.baseUrl, apiKey: "wrong" });
    await assert.rejects(client.complete({ model: "m1", messages: [{ role: "user", content: "hi" }] }), {
      name: "ProviderCallError",
      message: "the provider refused the API key — check providers.local.apiKey",
    });
    assert.equal(fake.requests.at(-1)!.headers.authorization, "Bearer wrong");
  });

  it("explains an unknown model", async () => {
    const result = await testProvider({
      name: "oai",
      kind: "openai",
      baseUrl: fake.baseUrl,
      apiKey: "sk-test",
      model: "gpt-nope",
    });
    assert.equal(result.ok, false);
    assert.equal(result.failure, "unknown-model");
    assert.equal(result.advice, "model gpt-nope is unknown to oai");
  });

  it("explains an unreachable base URL", async () => {
    const baseUrl = `http://127.0.0.1:${await closedPort()}/v1`;
    const result = await testProvider({ name: "ol", kind: "ollama", baseUrl, model: "m1" });
    assert.equal(result.ok, false);
    assert.equal(result.failure, "unreachable");
    assert.match(
      result.advice!,
      new RegExp(`^cannot reach ${baseUrl.replace(/[.]/g, "\\.")} \\(ECONNREFUSED\\)`),
    );
  });

  it("tests a working provider with one tiny call", async () => {
    const before = fake.requests.length;
    const result = await testProvider({
      name: "x",
      kind: "xai",
      baseUrl: fake.baseUrl,
      apiKey: "sk-test",
      model: "m1",
    });
    assert.deepEqual({ ok: result.ok, advice: result.advice }, { ok: true, advice: undefined });
    assert.equal(fake.requests.length, before + 1);
    assert.ok(fake.requests.at(-1)!.body.max_tokens <= 16);
  });

  it("refuses a keyed provider without a key before calling it", async () => {
    const before = fake.requests.length;
    const result = await testProvider({ name: "or", kind: "openrouter", baseUrl: fake.baseUrl, model: "m1" });
    assert.equal(result.advice, "provider or has no API key — set providers.or.apiKey");
    assert.equal(fake.requests.length, before);
  });
});

describe("provider call control", () => {
  let fake: FakeLlmServer;
  before(async () => {
    fake = await startFakeOpenAi({
      script: (request) =>
        request.body.messages[0].content === "slow"
          ? { text: "late", delayMs: 30_000 }
          : { toolCalls: [{ name: "t", arguments: '{"message": "unterminated' }] },
    });
  });
  after(() => fake.close());

  it("stops a call when the caller's signal aborts", async () => {
    const client = createLlmClient({ name: "p", kind: "openai-compatible", baseUrl: fake.baseUrl });
    const controller = new AbortController();
    const before = fake.requests.length;
    const started = Date.now();
    const pending = client.complete({
      model: "m",
      messages: [{ role: "user", content: "slow" }],
      signal: controller.signal,
    });
    await waitFor(() => fake.requests.length > before, { what: "the request to arrive" });
    controller.abort();
    await assert.rejects(pending, (err: Error) => err.name === "AbortError");
    assert.ok(Date.now() - started < 5000);
  });

  it("gives up after the provider timeout with reachability advice", async () => {
    const client = createLlmClient({
      name: "p",
      kind: "openai-compatible",
      baseUrl: fake.baseUrl,
      timeoutMs: 200,
    });
    await assert.rejects(client.complete({ model: "m", messages: [{ role: "user", content: "slow" }] }), {
      name: "ProviderUnreachableError",
      message: `cannot reach ${fake.baseUrl} (no answer within 200 ms)`,
    });
  });

  it("keeps unparsable tool arguments as a string for parseArgs to reject", async () => {
    const client = createLlmClient({ name: "p", kind: "openai-compatible", baseUrl: fake.baseUrl });
    const reply = await client.complete({
      model: "m",
      messages: [{ role: "user", content: "go" }],
      tools: [{ name: "t", description: "t", inputSchema: { type: "object" } }],
    });
    assert.equal(reply.toolCalls[0].arguments, '{"message": "unterminated');
  });
});

describe("anthropic provider", () => {
  let fake: FakeLlmServer;
  before(async () => {
    fake = await startFakeAnthropic({
      apiKey: "ak-test",
      models: ["claude-test"],
      script: (request) => {
        const last = request.body.messages.at(-1);
        const toolResult = Array.isArray(last.content)
          ? last.content.find((c: { type: string }) => c.type === "tool_result")
          : undefined;
        if (toolResult) return { text: `saw ${JSON.stringify(toolResult.content)}` };
        if (request.body.tools)
          return {
            toolCalls: [{ id: "toolu_1", name: request.body.tools[0].name, arguments: { message: "hi" } }],
          };
        return { text: "hello from claude" };
      },
    });
  });
  after(() => fake.close());

  it("round-trips a text reply and a tool_use block", async () => {
    const client = createLlmClient({
      name: "claude",
      kind: "anthropic",
      baseUrl: fake.baseUrl,
      apiKey: "ak-test",
    });
    const text = await client.complete({ model: "claude-test", messages: [{ role: "user", content: "hi" }] });
    assert.equal(text.text, "hello from claude");
    assert.equal(fake.requests.at(-1)!.headers["x-api-key"], "ak-test");

    const call = await client.complete({
      model: "claude-test",
      messages: [{ role: "user", content: "echo" }],
      tools: [echoTool],
    });
    assert.deepEqual(call.toolCalls, [
      { id: "toolu_1", name: "mcp.everything.echo", arguments: { message: "hi" } },
    ]);

    const followUp = await client.complete({ model: "claude-test", messages: history, tools: [echoTool] });
    assert.match(followUp.text, /Echo: hi/);
    const body = fake.requests.at(-1)!.body;
    assert.equal(body.system[0].text, "You are Vigil.");
    assert.equal(body.messages[1].content[0].type, "tool_use");
    assert.equal(body.messages[1].content[0].name, "mcp_everything_echo");
  });

  it("explains a refused key and an unknown model", async () => {
    const bad = await testProvider({
      name: "claude",
      kind: "anthropic",
      baseUrl: fake.baseUrl,
      apiKey: "nope",
      model: "claude-test",
    });
    assert.equal(bad.advice, "the provider refused the API key — check providers.claude.apiKey");
    const unknown = await testProvider({
      name: "claude",
      kind: "anthropic",
      baseUrl: fake.baseUrl,
      apiKey: "ak-test",
      model: "claude-0",
    });
    assert.equal(unknown.advice, "model claude-0 is unknown to claude");
  });
});

describe("provider config", () => {
  it("fills defaults and needs a baseUrl only for generic endpoints", () => {
    assert.ok(providerConfigSchema.safeParse({ name: "local", kind: "ollama" }).success);
    const generic = providerConfigSchema.safeParse({ name: "g", kind: "openai-compatible" });
    assert.equal(generic.success, false);
    assert.deepEqual(generic.error?.issues[0].path, ["baseUrl"]);
    assert.equal(providerConfigSchema.safeParse({ name: "bad name", kind: "openai" }).success, false);
  });
});
