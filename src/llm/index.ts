// The LLM folder's entry: the LlmClient port and the providers behind it.

export type {
  LlmClient,
  LlmMessage,
  LlmRequest,
  LlmResponse,
  LlmToolCall,
  LlmToolSpec,
} from "./llm-client.ts";
export { modelToolName } from "./model-prompt.ts";
export {
  baseUrlOf,
  DEFAULT_BASE_URLS,
  PROVIDER_KINDS,
  type ProviderConfig,
  type ProviderKind,
  providerConfigSchema,
} from "./provider-config.ts";
export {
  explainProviderError,
  ProviderCallError,
  type ProviderFailure,
  ProviderUnreachableError,
} from "./provider-errors.ts";
export { ProviderStore, type Sealer } from "./provider-store.ts";
export { createLlmClient, type ProviderTestResult, testProvider } from "./providers.ts";
