// Providers behind the LlmClient port: one AI SDK language model per configured provider,
// called for exactly one step. Tools are offered as JSON Schemas; nothing is executed here,
// the proposed tool calls come back to the core, which runs them through the policy gate.

import type { LanguageModel, ModelCallOptions, ModelGenerateResult } from "./language-model.ts";
import type { LlmClient, LlmRequest, LlmResponse, LlmToolCall } from "./llm-client.ts";
import { ToolNames, toModelPrompt, toModelTools } from "./model-prompt.ts";
import { baseUrlOf, KEYED_KINDS, type ProviderConfig } from "./provider-config.ts";
import {
  explainProviderError,
  ProviderCallError,
  type ProviderFailure,
  ProviderUnreachableError,
} from "./provider-errors.ts";

const DEFAULT_TIMEOUT_MS = 120_000;

/** Builds the LlmClient for one provider. Nothing is contacted until the first call. */
export function createLlmClient(provider: ProviderConfig): LlmClient {
  const baseUrl = baseUrlOf(provider);
  const models = new Map<string, Promise<LanguageModel>>();
  const modelFor = (id: string): Promise<LanguageModel> => {
    let model = models.get(id);
    if (model === undefined) {
      model = languageModel(provider, baseUrl, id);
      models.set(id, model);
    }
    return model;
  };
  return {
    async complete(request: LlmRequest): Promise<LlmResponse> {
      const modelId = request.model || provider.model;
      if (!modelId)
        throw new Error(`provider ${provider.name} has no model: set providers.${provider.name}.model`);
      if (provider.apiKey === undefined && KEYED_KINDS.has(provider.kind)) {
        throw new ProviderCallError(
          `provider ${provider.name} has no API key — set providers.${provider.name}.apiKey`,
          "bad-key",
          {},
        );
      }
      const timeoutMs = provider.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
      const names = new ToolNames(request.tools ?? []);
      const options: ModelCallOptions = {
        prompt: toModelPrompt(request.messages),
        ...(request.tools && request.tools.length > 0
          ? { tools: toModelTools(request.tools), toolChoice: { type: "auto" } }
          : {}),
        ...(request.maxOutputTokens !== undefined ? { maxOutputTokens: request.maxOutputTokens } : {}),
        abortSignal: signal,
      };
      try {
        const model = await modelFor(modelId);
        const result = provider.stream ? await streamed(model, options) : await model.doGenerate(options);
        return toResponse(result, names);
      } catch (err) {
        if (request.signal?.aborted) throw err;
        if (timeout.aborted) {
          throw new ProviderUnreachableError(`cannot reach ${baseUrl} (no answer within ${timeoutMs} ms)`, {
            cause: err,
          });
        }
        throw explainProviderError(err, { name: provider.name, baseUrl, model: modelId });
      }
    },
  };
}

export interface ProviderTestResult {
  readonly ok: boolean;
  readonly latencyMs: number;
  /** What to fix, when the call failed. */
  readonly advice?: string;
  readonly failure?: ProviderFailure;
}

/** One tiny call (`vigil provider test NAME`): proves key, reachability and model in one go. */
export async function testProvider(
  provider: ProviderConfig,
  options: { signal?: AbortSignal; model?: string } = {},
): Promise<ProviderTestResult> {
  const client = createLlmClient({ timeoutMs: 15_000, ...provider });
  const started = performance.now();
  try {
    await client.complete({
      model: options.model ?? provider.model ?? "",
      messages: [{ role: "user", content: "Reply with the word ok." }],
      maxOutputTokens: 16,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    const failure =
      typeof err === "object" && err !== null && "failure" in err
        ? (err.failure as ProviderFailure)
        : undefined;
    return {
      ok: false,
      latencyMs: Math.round(performance.now() - started),
      advice: err instanceof Error ? err.message : String(err),
      ...(failure ? { failure } : {}),
    };
  }
}

/** The AI SDK model for a provider; each SDK package is loaded only when a provider of its kind is used. */
async function languageModel(
  provider: ProviderConfig,
  baseURL: string,
  modelId: string,
): Promise<LanguageModel> {
  const common = { baseURL, apiKey: provider.apiKey ?? "", headers: provider.headers ?? {} };
  switch (provider.kind) {
    case "anthropic": {
      const { createAnthropic } = await import("@ai-sdk/anthropic");
      return createAnthropic(common)(modelId);
    }
    case "openai": {
      const { createOpenAI } = await import("@ai-sdk/openai");
      // Chat Completions, not Responses: every OpenAI-compatible server (and our fake) speaks it.
      return createOpenAI(common).chat(modelId);
    }
    case "google": {
      const { createGoogleGenerativeAI } = await import("@ai-sdk/google");
      return createGoogleGenerativeAI(common)(modelId);
    }
    default: {
      const { createOpenAICompatible } = await import("@ai-sdk/openai-compatible");
      return createOpenAICompatible({
        name: provider.name,
        baseURL,
        ...(provider.apiKey !== undefined ? { apiKey: provider.apiKey } : {}),
        headers: provider.headers ?? {},
        includeUsage: true,
      }).chatModel(modelId);
    }
  }
}

/** Runs the streaming API and assembles the same result doGenerate would give. */
async function streamed(
  model: LanguageModel,
  options: ModelCallOptions,
): Promise<Pick<ModelGenerateResult, "content" | "usage">> {
  const { stream } = await model.doStream(options);
  const content: ModelGenerateResult["content"] = [];
  let text = "";
  let usage: ModelGenerateResult["usage"] | undefined;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    switch (value.type) {
      case "text-delta":
        text += value.delta;
        break;
      case "tool-call":
        content.push(value);
        break;
      case "finish":
        usage = value.usage;
        break;
      case "error":
        throw value.error;
      default:
        break;
    }
  }
  if (text !== "") content.unshift({ type: "text", text });
  return {
    content,
    usage: usage ?? {
      inputTokens: { total: undefined, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
      outputTokens: { total: undefined, text: undefined, reasoning: undefined },
    },
  };
}

function toResponse(result: Pick<ModelGenerateResult, "content" | "usage">, names: ToolNames): LlmResponse {
  let text = "";
  const toolCalls: LlmToolCall[] = [];
  for (const part of result.content) {
    if (part.type === "text") text += part.text;
    else if (part.type === "tool-call") {
      toolCalls.push({
        id: part.toolCallId,
        name: names.ours(part.toolName),
        arguments: parseInput(part.input),
      });
    }
  }
  return {
    text,
    toolCalls,
    usage: {
      inputTokens: result.usage.inputTokens.total ?? 0,
      outputTokens: result.usage.outputTokens.total ?? 0,
    },
  };
}

/** Model output is untrusted: bad JSON stays a string so the tool's parseArgs rejects it by name. */
function parseInput(input: string): unknown {
  try {
    return input === "" ? {} : JSON.parse(input);
  } catch {
    return input;
  }
}
