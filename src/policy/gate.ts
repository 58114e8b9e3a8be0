// The one policy gate every tool call passes: allow, needs-approval or deny, with a reason.
// Permission, resource and risk come from the tool and its parsed arguments only (invariant 1).

import type { Platform } from "../core/chat-adapter.ts";
import type { Tool } from "../tools/tool.ts";
import { hashArgs } from "./hash-args.ts";
import { hasRole, type VigilUser } from "./identities.ts";
import { type PermissionLevel, withinCeiling } from "./permission.ts";
import { assessRisk, type Risk, type RiskOptions } from "./risk.ts";
import type { TrustMode } from "./trust.ts";

export interface GateOperator {
  readonly name: string;
  /** Hard limit: a call needing more is denied, in every trust mode. */
  readonly ceiling: PermissionLevel;
  readonly trust: TrustMode;
  /** Approvals an elevate call needs for this operator (N of the M approvers); overrides the gate's default. */
  readonly elevateApprovals?: number;
}

/**
 * Where the call came from. Chat and LLM calls act for a human requester, who must be a known user;
 * schedule and incident calls may have none (they were configured by an admin) and then act as the operator.
 */
export interface CallSource {
  readonly kind: "chat" | "llm" | "schedule" | "incident";
  readonly platform?: Platform;
  readonly conversation?: string;
}

export interface GateInput<Args = Record<string, unknown>> {
  readonly operator: GateOperator;
  readonly tool: Tool<Args>;
  /** Already parsed by `tool.parseArgs`. */
  readonly args: Args;
  readonly requester: VigilUser | undefined;
  readonly source: CallSource;
}

export type GateVerdict = "allow" | "needs-approval" | "deny";

export interface GateDecision {
  readonly decision: GateVerdict;
  /** Why, in words a chat user can act on. */
  readonly reason: string;
  readonly operator: string;
  readonly tool: string;
  readonly permission: PermissionLevel;
  readonly resource: string;
  readonly risk: Risk;
  readonly riskFactors: readonly string[];
  /** sha256 of the canonical JSON of the arguments; approvals and grants bind it. */
  readonly argsHash: string;
  /** Lenient trust allowed a non-read call: the caller must audit it and announce it with a Revoke button. */
  readonly autoApproved: boolean;
  /** Distinct approvers needed when `decision` is "needs-approval", else 0. */
  readonly requiredApprovals: number;
}

export interface ChannelBindings {
  channelAllows(platform: Platform, conversation: string, operator: string): boolean;
}

export interface PolicyGateOptions {
  /** Default number of distinct approvers an elevate call needs (N of M). Default 1. */
  readonly elevateApprovals?: number;
  /** Checked when the source names a conversation (usually the IdentityDirectory). */
  readonly channels?: ChannelBindings;
  readonly risk?: RiskOptions;
}

const HUMAN_SOURCES = new Set<CallSource["kind"]>(["chat", "llm"]);

/** Decides tool calls. Pure and synchronous: it reads no model text and writes nothing; the caller audits. */
export class PolicyGate {
  readonly #elevateApprovals: number;
  readonly #channels: ChannelBindings | undefined;
  readonly #risk: RiskOptions;

  constructor(opts: PolicyGateOptions = {}) {
    this.#elevateApprovals = checkApprovals(opts.elevateApprovals ?? 1);
    this.#channels = opts.channels;
    this.#risk = opts.risk ?? {};
  }

  decide<Args>(input: GateInput<Args>): GateDecision {
    const { operator, tool, args, requester, source } = input;
    let permission: PermissionLevel;
    let resource: string;
    let argsHash: string;
    try {
      permission = tool.permission(args);
      resource = tool.resource(args);
      argsHash = hashArgs(args);
    } catch (err) {
      // A tool that cannot say what a call needs gets the most conservative answer.
      return {
        decision: "deny",
        reason: `${tool.name} could not work out the permission or target of this call: ${(err as Error).message}`,
        operator: operator.name,
        tool: tool.name,
        permission: "elevate",
        resource: "",
        risk: "critical",
        riskFactors: ["undeterminable call"],
        argsHash: "",
        autoApproved: false,
        requiredApprovals: 0,
      };
    }
    const { risk, factors } = assessRisk({ tool: tool.name, permission, resource }, this.#risk);
    const base = {
      operator: operator.name,
      tool: tool.name,
      permission,
      resource,
      risk,
      riskFactors: factors,
      argsHash,
    };
    const deny = (reason: string): GateDecision => ({
      ...base,
      decision: "deny",
      reason,
      autoApproved: false,
      requiredApprovals: 0,
    });
    const what = `${tool.name} on ${resource}`;

    if (source.platform !== undefined && source.conversation !== undefined && this.#channels) {
      if (!this.#channels.channelAllows(source.platform, source.conversation, operator.name)) {
        return deny(`operator ${operator.name} is not bound to this conversation; an admin can bind it`);
      }
    }
    if (!withinCeiling(permission, operator.ceiling)) {
      return deny(
        `${what} needs ${permission} but operator ${operator.name}'s ceiling is ${operator.ceiling}`,
      );
    }
    if (requester === undefined) {
      if (HUMAN_SOURCES.has(source.kind)) {
        return deny("you are not a known Vigil user; ask an admin to link your account");
      }
    } else if (!hasRole(requester, "viewer")) {
      return deny(`${requester.name} has no role; ask an admin for one`);
    } else if (permission !== "read" && !hasRole(requester, "operator")) {
      return deny(
        `${requester.name} may only run read tools; ${what} needs ${permission} (the operator role)`,
      );
    }
    if (permission === "read") {
      return {
        ...base,
        decision: "allow",
        reason: `read on ${resource}`,
        autoApproved: false,
        requiredApprovals: 0,
      };
    }
    if (permission === "elevate") {
      const n = checkApprovals(operator.elevateApprovals ?? this.#elevateApprovals);
      return {
        ...base,
        decision: "needs-approval",
        reason: `${what} needs elevate, which always needs ${n} approver${n === 1 ? "" : "s"}`,
        autoApproved: false,
        requiredApprovals: n,
      };
    }
    if (operator.trust === "lenient") {
      return {
        ...base,
        decision: "allow",
        reason: `${what} needs ${permission}; auto-approved because operator ${operator.name} is lenient`,
        autoApproved: true,
        requiredApprovals: 0,
      };
    }
    return {
      ...base,
      decision: "needs-approval",
      reason: `${what} needs ${permission}; operator ${operator.name} is strict, so an approver must approve`,
      autoApproved: false,
      requiredApprovals: 1,
    };
  }
}

function checkApprovals(n: number): number {
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`elevateApprovals must be an integer ≥ 1, got ${n}`);
  return n;
}
