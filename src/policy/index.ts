// The policy unit's entry: permission levels, identities and roles, the gate, risk, JIT grants
// and approvals. Other folders import from here.

export * from "./action-ids.ts";
export * from "./approval-card.ts";
export * from "./approval-store.ts";
export * from "./approvals.ts";
export * from "./gate.ts";
export * from "./grants.ts";
export * from "./hash-args.ts";
export * from "./identities.ts";
export * from "./permission.ts";
export * from "./risk.ts";
export * from "./trust.ts";
