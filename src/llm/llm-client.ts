// The LlmClient port: the only way the core talks to a model. Providers (Vercel AI SDK
// behind it) implement it; tests point them at local fakes.

import type { JsonSchema } from "../tools/tool.ts";

export interface LlmToolCall {
  readonly id: string;
  readonly name: string;
  readonly arguments: unknown;
}

export type LlmMessage =
  | { readonly role: "system"; readonly content: string }
  | { readonly role: "user"; readonly content: string }
  | { readonly role: "assistant"; readonly content: string; readonly toolCalls?: readonly LlmToolCall[] }
  | {
      readonly role: "tool";
      readonly toolCallId: string;
      readonly toolName: string;
      readonly content: string;
    };

export interface LlmToolSpec {
  readonly name: string;
  readonly description: string;
  readonly inputSchema: JsonSchema;
}

export interface LlmRequest {
  readonly model: string;
  readonly messages: readonly LlmMessage[];
  readonly tools?: readonly LlmToolSpec[];
  readonly maxOutputTokens?: number;
  readonly signal?: AbortSignal;
}

export interface LlmResponse {
  readonly text: string;
  readonly toolCalls: readonly LlmToolCall[];
  readonly usage: { readonly inputTokens: number; readonly outputTokens: number };
}

export interface LlmClient {
  complete(request: LlmRequest): Promise<LlmResponse>;
}
