// Trust modes: strict (a human approver clicks first) or lenient (auto-approved, audited and
// announced with a Revoke button). Set globally and overridden per operator.

export const TRUST_MODES = ["strict", "lenient"] as const;
export type TrustMode = (typeof TRUST_MODES)[number];

/** The operator's own mode when it has one, otherwise the global one; strict when neither is set. */
export function effectiveTrust(
  operatorTrust: TrustMode | undefined,
  globalTrust: TrustMode | undefined,
): TrustMode {
  return operatorTrust ?? globalTrust ?? "strict";
}
