// Risk of a tool call, computed from the tool's name, the permission the call needs and the
// resource it touches: never from model text (invariant 1).

import type { PermissionLevel } from "./permission.ts";

export const RISK_LEVELS = ["low", "medium", "high", "critical"] as const;
export type Risk = (typeof RISK_LEVELS)[number];

const BASE: Record<PermissionLevel, number> = { read: 0, write: 1, exec: 2, elevate: 3 };

export interface RiskRule {
  /** What the rule names, shown in the assessment's factors: "production target". */
  readonly label: string;
  readonly pattern: RegExp;
}

/** Resources that raise risk one step: production, root, wildcards, system paths. */
export const DEFAULT_RESOURCE_RULES: readonly RiskRule[] = [
  { label: "production target", pattern: /(^|[^a-z])prod(uction)?([^a-z]|$)/i },
  { label: "root target", pattern: /(^|[:/@\s])root([@/:\s]|$)|(^|:)\/$|uid=0/i },
  { label: "wildcard target", pattern: /\*/ },
  { label: "system path", pattern: /:\/(etc|boot|usr|bin|sbin|lib|var\/lib|proc|sys|dev)(\/|$)/ },
];

/** Tools whose names say they destroy or stop something raise risk one step. */
export const DEFAULT_TOOL_RULES: readonly RiskRule[] = [
  {
    label: "destructive tool",
    pattern:
      /(^|[._-])(delete|remove|rm|rmi|drop|destroy|kill|prune|truncate|wipe|purge|format|reboot|shutdown|stop)([._-]|$)/i,
  },
];

export interface RiskAssessment {
  readonly risk: Risk;
  /** Why the risk is what it is, e.g. ["exec permission", "production target"]. */
  readonly factors: readonly string[];
}

export interface RiskInput {
  readonly tool: string;
  readonly permission: PermissionLevel;
  readonly resource: string;
}

export interface RiskOptions {
  readonly resourceRules?: readonly RiskRule[];
  readonly toolRules?: readonly RiskRule[];
}

/** Base risk from the permission, one step up per matching rule kind (resource rules count once each), capped at critical. */
export function assessRisk(input: RiskInput, opts: RiskOptions = {}): RiskAssessment {
  let level = BASE[input.permission];
  const factors = [`${input.permission} permission`];
  for (const rule of opts.resourceRules ?? DEFAULT_RESOURCE_RULES) {
    if (rule.pattern.test(input.resource)) {
      level++;
      factors.push(rule.label);
    }
  }
  for (const rule of opts.toolRules ?? DEFAULT_TOOL_RULES) {
    if (rule.pattern.test(input.tool)) {
      level++;
      factors.push(rule.label);
    }
  }
  return { risk: RISK_LEVELS[Math.min(level, RISK_LEVELS.length - 1)], factors };
}
