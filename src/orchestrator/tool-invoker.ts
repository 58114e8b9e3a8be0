// The one port every tool call goes through, whoever proposed it: `/vigil run`, `@op tool …`
// or a model. The real invoker sits on the policy gate, JIT approvals and the audit log;
// nothing in the orchestrator calls `tool.run` itself.

import type { ChatContext } from "../core/chat-hub.ts";
import type { Operator } from "../operators/operator.ts";
import type { Tool } from "../tools/tool.ts";

export interface Requester {
  readonly platform: string;
  readonly userId: string;
  readonly name?: string;
}

export type CallSource = "chat" | "schedule" | "incident";

export interface ToolCall {
  readonly operator: Operator;
  readonly tool: Tool;
  /** Unparsed arguments, as typed or as the model proposed them; the invoker validates them. */
  readonly rawArgs: unknown;
  readonly requester: Requester;
  readonly source: CallSource;
  /** The thread the call came from, where an approval card can be posted. */
  readonly chat?: ChatContext;
  /** Aborted by the task's Stop button. */
  readonly signal: AbortSignal;
  /** A model proposed this call (audited as such; decided exactly like any other). */
  readonly proposedByModel?: boolean;
}

/** A call refused before any tool was involved: a model named a tool its operator was not given. */
export interface RefusedCall {
  readonly operator: Operator;
  readonly toolName: string;
  readonly rawArgs: unknown;
  readonly requester: Requester;
  readonly source: CallSource;
  readonly reason: string;
}

export type ToolOutcomeStatus = "ok" | "error" | "denied" | "expired" | "stopped" | "invalid";

export interface ToolOutcome {
  readonly status: ToolOutcomeStatus;
  /** Already redacted: safe for the model, the chat and history. */
  readonly output: string;
  readonly reason?: string;
}

export interface ToolInvoker {
  invoke(call: ToolCall): Promise<ToolOutcome>;
  /** Records a refused call, so every attempt is audited, including ones that name no usable tool. */
  refuse?(call: RefusedCall): void;
}
