// Turns our LlmMessages and tool specs into the AI SDK's language-model prompt, and model
// tool names back into ours: providers only accept [a-zA-Z0-9_-]{1,64}, our names have dots.

import { createHash } from "node:crypto";
import type { ModelCallOptions } from "./language-model.ts";
import type { LlmMessage, LlmToolSpec } from "./llm-client.ts";

type Prompt = ModelCallOptions["prompt"];
type ModelTool = NonNullable<ModelCallOptions["tools"]>[number];

/** A provider-safe name for a tool: same for the same input, so history and tool lists agree. */
export function modelToolName(name: string): string {
  const safe = name.replace(/[^a-zA-Z0-9_-]/g, "_");
  if (safe.length <= 64) return safe;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 8);
  return `${safe.slice(0, 55)}_${hash}`;
}

/** Maps provider-safe names back to ours for one request. */
export class ToolNames {
  readonly #toOurs = new Map<string, string>();

  constructor(tools: readonly LlmToolSpec[]) {
    for (const tool of tools) {
      const safe = modelToolName(tool.name);
      const taken = this.#toOurs.get(safe);
      if (taken !== undefined && taken !== tool.name) {
        throw new Error(`tools ${taken} and ${tool.name} have the same provider name ${safe}; rename one`);
      }
      this.#toOurs.set(safe, tool.name);
    }
  }

  ours(modelName: string): string {
    return this.#toOurs.get(modelName) ?? modelName;
  }
}

export function toModelTools(tools: readonly LlmToolSpec[]): ModelTool[] {
  return tools.map((tool) => ({
    type: "function",
    name: modelToolName(tool.name),
    description: tool.description,
    inputSchema: tool.inputSchema as Extract<ModelTool, { type: "function" }>["inputSchema"],
  }));
}

/** Consecutive tool results go into one tool message, as Anthropic requires. */
export function toModelPrompt(messages: readonly LlmMessage[]): Prompt {
  const prompt: Prompt = [];
  for (const message of messages) {
    switch (message.role) {
      case "system":
        prompt.push({ role: "system", content: message.content });
        break;
      case "user":
        prompt.push({ role: "user", content: [{ type: "text", text: message.content }] });
        break;
      case "assistant": {
        const content: Extract<Prompt[number], { role: "assistant" }>["content"] = [];
        if (message.content !== "") content.push({ type: "text", text: message.content });
        for (const call of message.toolCalls ?? []) {
          content.push({
            type: "tool-call",
            toolCallId: call.id,
            toolName: modelToolName(call.name),
            input: call.arguments ?? {},
          });
        }
        prompt.push({ role: "assistant", content });
        break;
      }
      case "tool": {
        const part = {
          type: "tool-result" as const,
          toolCallId: message.toolCallId,
          toolName: modelToolName(message.toolName),
          output: { type: "text" as const, value: message.content },
        };
        const last = prompt.at(-1);
        if (last?.role === "tool") last.content.push(part);
        else prompt.push({ role: "tool", content: [part] });
        break;
      }
    }
  }
  return prompt;
}
