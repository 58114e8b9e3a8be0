// Turns what a model API or the network threw into advice the user can act on: a refused
// key, an unreachable base URL, an unknown model.

import { PlatformRefusedError, PlatformUnreachableError } from "../core/errors.ts";

/** Why a provider call failed, for `vigil provider test` and logs. */
export type ProviderFailure = "bad-key" | "unreachable" | "unknown-model" | "refused";

export class ProviderCallError extends PlatformRefusedError {
  readonly failure: ProviderFailure;
  constructor(message: string, failure: ProviderFailure, options: { cause?: unknown; status?: number }) {
    super(message, options);
    this.name = "ProviderCallError";
    this.failure = failure;
  }
}

export class ProviderUnreachableError extends PlatformUnreachableError {
  readonly failure = "unreachable" as const;
  constructor(message: string, options: { cause?: unknown }) {
    super(message, options);
    this.name = "ProviderUnreachableError";
  }
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_SOCKET",
]);

interface Where {
  readonly name: string;
  readonly baseUrl: string;
  readonly model: string;
}

/** Explains a failed call. Aborts by the caller's signal pass through unchanged. */
export function explainProviderError(err: unknown, where: Where): Error {
  const status = numberField(err, "statusCode");
  const body = String(field(err, "responseBody") ?? "");
  const message = err instanceof Error ? err.message : String(err);
  if (status === 401 || status === 403) {
    return new ProviderCallError(
      `the provider refused the API key — check providers.${where.name}.apiKey`,
      "bad-key",
      { cause: err, status },
    );
  }
  if (status === 404 || /model_not_found|not_found_error|does not exist|unknown model/i.test(body)) {
    return new ProviderCallError(`model ${where.model} is unknown to ${where.name}`, "unknown-model", {
      cause: err,
      status,
    });
  }
  if (status === undefined && (isNetworkError(err) || /Cannot connect to API/i.test(message))) {
    return new ProviderUnreachableError(`cannot reach ${where.baseUrl} (${networkDetail(err) ?? message})`, {
      cause: err,
    });
  }
  if (status !== undefined) {
    return new ProviderCallError(`${where.name} answered ${status}: ${message}`, "refused", {
      cause: err,
      status,
    });
  }
  return err instanceof Error ? err : new Error(message);
}

function isNetworkError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 6; depth++) {
    const code = field(e, "code");
    if (typeof code === "string" && NETWORK_CODES.has(code)) return true;
    e = field(e, "cause");
  }
  return false;
}

function networkDetail(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 6; depth++) {
    const code = field(e, "code");
    if (typeof code === "string" && NETWORK_CODES.has(code)) return code;
    e = field(e, "cause");
  }
  return undefined;
}

function field(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function numberField(value: unknown, key: string): number | undefined {
  const v = field(value, key);
  return typeof v === "number" ? v : undefined;
}
