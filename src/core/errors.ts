// The one catalogue of coded errors. Every failure a user can meet carries a code
// from here and a message that says what to fix.

export const ErrorCodes = {
  CONFIG_INVALID: "VIGIL_ERR_CONFIG_INVALID",
  CONFIG_UNREADABLE: "VIGIL_ERR_CONFIG_UNREADABLE",
  SECRET_MISMATCH: "VIGIL_ERR_SECRET_MISMATCH",
  SECRET_INVALID: "VIGIL_ERR_SECRET_INVALID",
  STORE_CORRUPT: "VIGIL_ERR_STORE_CORRUPT",
  STORE_TOO_NEW: "VIGIL_ERR_STORE_TOO_NEW",
  ADAPTER_START: "VIGIL_ERR_ADAPTER_START",
  PLATFORM_REFUSED: "VIGIL_ERR_PLATFORM_REFUSED",
  PLATFORM_UNREACHABLE: "VIGIL_ERR_PLATFORM_UNREACHABLE",
  MIDDLEWARE_NEXT_TWICE: "VIGIL_ERR_MIDDLEWARE_NEXT_TWICE",
  ACTION_UNKNOWN: "VIGIL_ERR_ACTION_UNKNOWN",
  ACTION_EXPIRED: "VIGIL_ERR_ACTION_EXPIRED",
  POLICY_DENIED: "VIGIL_ERR_POLICY_DENIED",
  AUTH_REQUIRED: "VIGIL_ERR_AUTH_REQUIRED",
  USAGE: "VIGIL_ERR_USAGE",
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** An error that carries a catalogue code and, when it wraps one, the original cause. */
export class VigilError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "VigilError";
    this.code = code;
  }
}

/** The platform answered and said no (bad token, unknown channel, 4xx). Retrying will not help. */
export class PlatformRefusedError extends VigilError {
  readonly status: number | undefined;
  constructor(message: string, options?: { cause?: unknown; status?: number }) {
    super(ErrorCodes.PLATFORM_REFUSED, message, options);
    this.name = "PlatformRefusedError";
    this.status = options?.status;
  }
}

/** The network failed before the platform could answer (refused, reset, timeout). Retrying may help. */
export class PlatformUnreachableError extends VigilError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCodes.PLATFORM_UNREACHABLE, message, options);
    this.name = "PlatformUnreachableError";
  }
}

export function isVigilError(err: unknown): err is VigilError {
  return err instanceof VigilError;
}
