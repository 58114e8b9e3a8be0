// Routing with a model: the router model reads the operators' descriptions and names one.
// Its answer only selects among configured operators; it grants nothing.

import type { LlmClient } from "../llm/llm-client.ts";
import type { ModelRef, Operator } from "./operator.ts";

export interface ModelPick {
  /** Undefined when the model's answer named no operator. */
  readonly operator: string | undefined;
  readonly tokens: number;
}

/** Asks `llm` which operator fits `request`; the answer must name one of `operators`. */
export async function pickByModel(
  llm: LlmClient,
  ref: ModelRef,
  request: string,
  operators: readonly Operator[],
  signal?: AbortSignal,
): Promise<ModelPick> {
  const list = operators
    .map((op) => `- ${op.name}: ${op.description} (tools: ${op.tools.join(", ") || "none"})`)
    .join("\n");
  const response = await llm.complete({
    model: ref.model,
    messages: [
      {
        role: "system",
        content: `You route chat-ops requests to exactly one operator. Operators:\n${list}\n\nAnswer with the operator's name only.`,
      },
      { role: "user", content: request },
    ],
    maxOutputTokens: 20,
    ...(signal ? { signal } : {}),
  });
  const tokens = response.usage.inputTokens + response.usage.outputTokens;
  const answer = response.text.toLowerCase();
  // The earliest name mentioned wins, so "docker (not shell)" picks docker.
  let best: { name: string; at: number } | undefined;
  for (const op of operators) {
    const at = answer.search(new RegExp(`(^|[^a-z0-9_-])${op.name.replace(/[-]/g, "\\-")}($|[^a-z0-9_-])`));
    if (at >= 0 && (!best || at < best.at)) best = { name: op.name, at };
  }
  return { operator: best?.name, tokens };
}
