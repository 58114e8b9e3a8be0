// Wire-level fakes of model APIs for tests: an OpenAI-compatible chat-completions server
// (plain and SSE) and an Anthropic messages server, both on 127.0.0.1 with scripted replies.

import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One tool call the fake model proposes. `arguments` as a string is sent verbatim (to test bad JSON). */
export interface FakeToolCall {
  readonly id?: string;
  readonly name: string;
  readonly arguments: Record<string, unknown> | string;
}

/** What the fake model answers to one request. */
export interface FakeReply {
  readonly text?: string;
  readonly toolCalls?: readonly FakeToolCall[];
  /** Wait this long before answering (or until the client goes away), to test aborts. */
  readonly delayMs?: number;
  /** Answer with this HTTP error instead of a completion. */
  readonly error?: { readonly status: number; readonly message: string; readonly code?: string };
  readonly usage?: { readonly inputTokens: number; readonly outputTokens: number };
}

/** A request as the fake received it. */
export interface FakeRequest {
  readonly path: string;
  readonly headers: Record<string, string | string[] | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: tests inspect arbitrary provider JSON
  readonly body: any;
}

/** Replies used in order (the last one repeats), or a function of the request and its index among scripted requests. */
export type FakeScript = readonly FakeReply[] | ((request: FakeRequest, index: number) => FakeReply);

export interface FakeLlmOptions {
  readonly script: FakeScript;
  /** When set, requests must carry this key (Bearer for OpenAI, x-api-key for Anthropic) or get 401. */
  readonly apiKey?: string;
  /** Known model ids; any other gets 404. Absent: every model is known. */
  readonly models?: readonly string[];
}

export interface FakeLlmServer {
  /** Base URL including `/v1`, as providers expect it. */
  readonly baseUrl: string;
  readonly requests: readonly FakeRequest[];
  close(): Promise<void>;
}

type Flavor = "openai" | "anthropic";

/** Starts an OpenAI-compatible fake: `POST /v1/chat/completions`, plain JSON or SSE when `stream: true`. */
export function startFakeOpenAi(options: FakeLlmOptions): Promise<FakeLlmServer> {
  return startFake("openai", options);
}

/** Starts an Anthropic-format fake: `POST /v1/messages` with text and tool_use blocks (plain JSON). */
export function startFakeAnthropic(options: FakeLlmOptions): Promise<FakeLlmServer> {
  return startFake("anthropic", options);
}

async function startFake(flavor: Flavor, options: FakeLlmOptions): Promise<FakeLlmServer> {
  const requests: FakeRequest[] = [];
  const state = { scripted: 0 };
  const server: Server = createServer((req, res) => {
    handle(flavor, options, requests, state, req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: String(err) } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(
  flavor: Flavor,
  options: FakeLlmOptions,
  requests: FakeRequest[],
  state: { scripted: number },
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const expectedPath = flavor === "openai" ? "/v1/chat/completions" : "/v1/messages";
  const path = (req.url ?? "").split("?")[0];
  if (req.method !== "POST" || path !== expectedPath) {
    return sendError(flavor, res, 404, `no route ${req.method} ${path}`, "not_found");
  }
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
  const request: FakeRequest = { path, headers: req.headers, body };
  requests.push(request);

  if (options.apiKey !== undefined) {
    const given = flavor === "openai" ? req.headers.authorization : req.headers["x-api-key"];
    const expected = flavor === "openai" ? `Bearer ${options.apiKey}` : options.apiKey;
    if (given !== expected) return sendError(flavor, res, 401, "invalid api key", "invalid_api_key");
  }
  if (options.models !== undefined && !options.models.includes(body.model)) {
    return sendError(flavor, res, 404, `The model \`${body.model}\` does not exist`, "model_not_found");
  }

  // The script counts only requests that got past the key and model checks.
  const index = state.scripted++;
  const reply = pickReply(options.script, request, index);
  if (reply.delayMs !== undefined) await delayUnlessGone(reply.delayMs, res);
  if (res.destroyed) return;
  if (reply.error !== undefined) {
    return sendError(flavor, res, reply.error.status, reply.error.message, reply.error.code ?? "error");
  }
  if (flavor === "anthropic") return sendAnthropic(res, body.model, reply);
  if (body.stream === true) return sendOpenAiStream(res, body.model, reply);
  return sendOpenAi(res, body.model, reply);
}

function pickReply(script: FakeScript, request: FakeRequest, index: number): FakeReply {
  if (typeof script === "function") return script(request, index);
  if (script.length === 0) return { text: "" };
  return script[Math.min(index, script.length - 1)];
}

function delayUnlessGone(ms: number, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    res.once("close", done);
    function done(): void {
      clearTimeout(timer);
      resolve();
    }
  });
}

function sendError(flavor: Flavor, res: ServerResponse, status: number, message: string, code: string): void {
  const body =
    flavor === "openai"
      ? { error: { message, type: "invalid_request_error", code } }
      : {
          type: "error",
          error: {
            type: status === 401 ? "authentication_error" : status === 404 ? "not_found_error" : "api_error",
            message,
          },
        };
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function argumentsText(call: FakeToolCall): string {
  return typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments);
}

function usageOf(reply: FakeReply): { inputTokens: number; outputTokens: number } {
  return reply.usage ?? { inputTokens: 7, outputTokens: 3 };
}

function sendOpenAi(res: ServerResponse, model: string, reply: FakeReply): void {
  const toolCalls = (reply.toolCalls ?? []).map((call) => ({
    id: call.id ?? `call_${randomUUID().slice(0, 8)}`,
    type: "function",
    function: { name: call.name, arguments: argumentsText(call) },
  }));
  const usage = usageOf(reply);
  const body = {
    id: `chatcmpl-${randomUUID()}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: reply.text ?? null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        finish_reason: toolCalls.length > 0 ? "tool_calls" : "stop",
      },
    ],
    usage: {
      prompt_tokens: usage.inputTokens,
      completion_tokens: usage.outputTokens,
      total_tokens: usage.inputTokens + usage.outputTokens,
    },
  };
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/** Streams text in small pieces and each tool call's `arguments` in fragments, as real servers do. */
function sendOpenAiStream(res: ServerResponse, model: string, reply: FakeReply): void {
  const id = `chatcmpl-${randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  const send = (delta: Record<string, unknown>, finish: string | null = null, extra: object = {}) => {
    const chunk = {
      id,
      object: "chat.completion.chunk",
      created,
      model,
      choices: [{ index: 0, delta, finish_reason: finish }],
      ...extra,
    };
    res.write(`data: ${JSON.stringify(chunk)}\n\n`);
  };
  send({ role: "assistant", content: "" });
  for (const piece of fragments(reply.text ?? "", 4)) send({ content: piece });
  (reply.toolCalls ?? []).forEach((call, index) => {
    const callId = call.id ?? `call_${randomUUID().slice(0, 8)}`;
    send({
      tool_calls: [{ index, id: callId, type: "function", function: { name: call.name, arguments: "" } }],
    });
    for (const piece of fragments(argumentsText(call), 5)) {
      send({ tool_calls: [{ index, function: { arguments: piece } }] });
    }
  });
  const usage = usageOf(reply);
  send({}, (reply.toolCalls ?? []).length > 0 ? "tool_calls" : "stop", {
    usage: {
      prompt_tokens: usage.inputTokens,
      completion_tokens: usage.outputTokens,
      total_tokens: usage.inputTokens + usage.outputTokens,
    },
  });
  res.end("data: [DONE]\n\n");
}

function fragments(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function sendAnthropic(res: ServerResponse, model: string, reply: FakeReply): void {
  const content: object[] = [];
  if (reply.text) content.push({ type: "text", text: reply.text });
  for (const call of reply.toolCalls ?? []) {
    content.push({
      type: "tool_use",
      id: call.id ?? `toolu_${randomUUID().slice(0, 8)}`,
      name: call.name,
      input: typeof call.arguments === "string" ? JSON.parse(call.arguments) : call.arguments,
    });
  }
  const usage = usageOf(reply);
  const body = {
    id: `msg_${randomUUID()}`,
    type: "message",
    role: "assistant",
    model,
    content,
    stop_reason: (reply.toolCalls ?? []).length > 0 ? "tool_use" : "end_turn",
    stop_sequence: null,
    usage: { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens },
  };
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
