// Provider configuration: which model API a provider speaks, where it lives and how it
// authenticates. Validated once at start; defaults fill the well-known base URLs.

import { z } from "zod";

export const PROVIDER_KINDS = [
  "anthropic",
  "openai",
  "google",
  "ollama",
  "lmstudio",
  "vllm",
  "openrouter",
  "xai",
  "openai-compatible",
] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/** Public base URLs; local servers default to their usual loopback ports. */
export const DEFAULT_BASE_URLS: Readonly<Record<ProviderKind, string | undefined>> = {
  anthropic: "https://api.anthropic.com/v1",
  openai: "https://api.openai.com/v1",
  google: "https://generativelanguage.googleapis.com/v1beta",
  ollama: "http://127.0.0.1:11434/v1",
  lmstudio: "http://127.0.0.1:1234/v1",
  vllm: "http://127.0.0.1:8000/v1",
  openrouter: "https://openrouter.ai/api/v1",
  xai: "https://api.x.ai/v1",
  "openai-compatible": undefined,
};

/** Kinds whose API refuses calls without a key; local servers do not need one. */
export const KEYED_KINDS: ReadonlySet<ProviderKind> = new Set([
  "anthropic",
  "openai",
  "google",
  "openrouter",
  "xai",
]);

export const providerConfigSchema = z
  .object({
    name: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_-]*$/, "use letters, digits, - and _"),
    kind: z.enum(PROVIDER_KINDS),
    baseUrl: z.url().optional(),
    /** Plain text here; at rest it is sealed by the store (SecretBox), never written in the clear. */
    apiKey: z.string().min(1).optional(),
    /** Model used when a request names none. */
    model: z.string().min(1).optional(),
    headers: z.record(z.string(), z.string()).optional(),
    /** Use the streaming API and assemble the reply (some OpenAI-compatible servers behave better so). */
    stream: z.boolean().optional(),
    /** Give up on a call after this long; the caller's signal can stop it sooner. */
    timeoutMs: z.number().int().positive().optional(),
  })
  .superRefine((value, ctx) => {
    if (value.baseUrl === undefined && DEFAULT_BASE_URLS[value.kind] === undefined) {
      ctx.addIssue({ code: "custom", path: ["baseUrl"], message: `kind ${value.kind} needs a baseUrl` });
    }
  });

export type ProviderConfig = z.input<typeof providerConfigSchema>;

/** The base URL a provider talks to, without a trailing slash. */
export function baseUrlOf(provider: ProviderConfig): string {
  const url = provider.baseUrl ?? DEFAULT_BASE_URLS[provider.kind];
  if (url === undefined) throw new Error(`provider ${provider.name}: kind ${provider.kind} needs a baseUrl`);
  return url.replace(/\/+$/, "");
}
