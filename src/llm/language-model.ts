// The AI SDK language-model interface, derived from the installed provider packages so we
// need no direct dependency on @ai-sdk/provider.

import type { createOpenAICompatible } from "@ai-sdk/openai-compatible";

export type LanguageModel = ReturnType<ReturnType<typeof createOpenAICompatible>["chatModel"]>;
export type ModelCallOptions = Parameters<LanguageModel["doGenerate"]>[0];
export type ModelGenerateResult = Awaited<ReturnType<LanguageModel["doGenerate"]>>;
