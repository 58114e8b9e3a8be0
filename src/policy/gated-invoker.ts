// The one path to a tool. Every call, whoever proposed it (a person, a model, a schedule, an
// incident), is parsed, decided by the policy gate, audited, and run only when allowed or when
// an approver's click has issued a grant bound to exactly this call. Output is redacted before
// it goes anywhere.

import type { AuditRecord } from "../audit/index.ts";
import { createCard } from "../core/card.ts";
import type { MessageRef, Platform, ReplyTarget } from "../core/chat-adapter.ts";
import { type ChatContext, type ChatHub, whereOf } from "../core/chat-hub.ts";
import { ErrorCodes, isVigilError } from "../core/errors.ts";
import type { Tool } from "../tools/tool.ts";
import { approvalCard, grantAnnouncementCard } from "./approval-card.ts";
import type { ApprovalCardRepository } from "./approval-cards.ts";
import type { Approval } from "./approval-store.ts";
import type { Approvals, DecideResult } from "./approvals.ts";
import type { GateDecision, PolicyGate } from "./gate.ts";
import type { Grant, GrantStore } from "./grants.ts";
import type { IdentityDirectory, VigilUser } from "./identities.ts";
import type { PermissionLevel } from "./permission.ts";
import type { TrustMode } from "./trust.ts";

/** The operator fields the invoker needs (the orchestrator's Operator fits). */
export interface InvokerOperator {
  readonly name: string;
  readonly ceiling: PermissionLevel;
  readonly trust: TrustMode;
  readonly workingDirectory: string;
  readonly elevateApprovals?: number;
}

export type CallSourceKind = "chat" | "schedule" | "incident" | "guard";

export interface InvokeCall {
  readonly operator: InvokerOperator;
  readonly tool: Tool;
  /** As typed or as a model proposed them: parsed and validated here. */
  readonly rawArgs: unknown;
  readonly requester: { readonly platform: string; readonly userId: string; readonly name?: string };
  readonly source: "chat" | "schedule" | "incident";
  /** Set when a model proposed the call (audited as such; decided exactly the same way). */
  readonly proposedByModel?: boolean;
  readonly chat?: Pick<ChatContext, "adapter" | "target" | "event">;
  readonly signal: AbortSignal;
}

export type OutcomeStatus = "ok" | "error" | "denied" | "expired" | "stopped" | "invalid";

export interface InvokeOutcome {
  readonly status: OutcomeStatus;
  /** Redacted: safe for the model, the chat and history. */
  readonly output: string;
  readonly reason?: string;
}

/** Where every decision and result is recorded (src/audit's AuditLog). */
export interface AuditSink {
  append(record: AuditRecord): unknown;
}

export interface GatedInvokerLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface GatedInvokerOptions {
  gate: PolicyGate;
  approvals: Approvals;
  grants: GrantStore;
  identities: IdentityDirectory;
  cards: ApprovalCardRepository;
  audit: AuditSink;
  redact: (text: string) => string;
  /** Posts and edits cards on any connected platform. */
  hub: Pick<ChatHub, "post" | "adapter">;
  /** Finds the operator and tool of a stored approval, to run it after a restart. */
  resolveCall(operator: string, tool: string): { operator: InvokerOperator; tool: Tool } | undefined;
  /** A channel that gets a copy of every approval card, on any platform. */
  approvalsChannel?: { platform: Platform; conversation: string };
  /** Longest a tool may run before it is stopped. Default 5 minutes. */
  toolTimeoutMs?: number;
  /** A global trust mode that overrides every operator's own. */
  trust?: TrustMode;
  log: GatedInvokerLog;
  now?: () => number;
}

interface ApprovalContext {
  readonly platform: Platform;
  readonly conversation: string;
  readonly thread?: string;
}

interface Waiter {
  resolve(outcome: InvokeOutcome): void;
  readonly call: InvokeCall;
  readonly base: AuditBase;
}

const SUMMARY_CHARS = 500;

export class GatedInvoker {
  readonly #o: GatedInvokerOptions;
  /** Calls waiting in this process for their approval, by approval id. */
  readonly #waiting = new Map<string, Waiter>();
  #sweeper: NodeJS.Timeout | undefined;

  constructor(opts: GatedInvokerOptions) {
    this.#o = opts;
  }

  /** Starts the expiry sweep that turns overdue cards to EXPIRED. */
  start(intervalMs = 5000): void {
    this.#sweeper ??= setInterval(() => void this.sweepExpired(), intervalMs);
    this.#sweeper.unref();
  }

  stop(): void {
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
    for (const [id, w] of this.#waiting) {
      this.#waiting.delete(id);
      w.resolve({
        status: "stopped",
        output: "Vigil is shutting down; the approval stays pending and can still be clicked.",
      });
    }
  }

  /** Registers the approval and revoke buttons on the hub. */
  registerActions(hub: Pick<ChatHub, "onActionPrefix">): void {
    hub.onActionPrefix("ap", (ctx, rest) => this.#onClick(ctx, `ap:${rest}`));
    hub.onActionPrefix("gr", (ctx, rest) => this.#onClick(ctx, `gr:${rest}`));
  }

  async invoke(request: InvokeCall): Promise<InvokeOutcome> {
    const trust = this.#o.trust;
    const call = trust ? { ...request, operator: { ...request.operator, trust } } : request;
    const { operator, tool, requester, source } = call;
    const user = this.#o.identities.resolve(requester.platform as Platform, requester.userId);
    const where = this.#where(call);
    const actor = user?.name ?? `${requester.platform}:${requester.userId}`;
    const base = { actor, source, operator: operator.name, tool: tool.name, ...where };

    let args: Record<string, unknown>;
    try {
      args = tool.parseArgs(call.rawArgs) as Record<string, unknown>;
    } catch (err) {
      const reason = this.#o.redact((err as Error).message);
      this.#o.audit.append({ ...base, arguments: call.rawArgs, decision: "invalid", reason });
      return { status: "invalid", output: reason, reason };
    }

    const decision = this.#o.gate.decide({
      operator,
      tool,
      args,
      requester: user,
      source: {
        kind: call.proposedByModel ? "llm" : source,
        platform: where.platform as Platform,
        conversation: where.conversation,
      },
    });
    this.#o.audit.append({
      ...base,
      arguments: args,
      decision: decision.decision,
      reason: decision.reason,
      ...(call.proposedByModel ? { details: { proposedBy: "model" } } : {}),
      permission: decision.permission,
      resource: decision.resource,
      risk: decision.risk,
      argsHash: decision.argsHash,
    });

    if (decision.decision === "deny")
      return { status: "denied", output: decision.reason, reason: decision.reason };
    if (decision.decision === "allow" && !decision.autoApproved) {
      return this.#run(call.operator, tool, args, base, call.signal, undefined);
    }
    if (decision.decision === "allow") {
      const grant = this.#o.approvals.autoApprove({ ...decision, args }, user);
      this.#o.audit.append({
        ...base,
        arguments: args,
        decision: "approved",
        reason: "lenient trust: auto-approved",
        grantId: grant.id,
      });
      if (call.chat) {
        const card = grantAnnouncementCard(grant, { redact: this.#o.redact, args, requesterName: actor });
        await this.#o.hub
          .post(call.chat.adapter.platform, call.chat.target, createCard(card))
          .catch((err: unknown) => {
            this.#o.log.warn({ err, grant: grant.id }, "could not announce an auto-approved call");
          });
      }
      return this.#runWithGrant(call.operator, tool, args, decision, grant, base, call.signal);
    }
    return this.#awaitApproval(call, args, decision, user, base);
  }

  /** Audits a call refused before it reached a tool (a model naming a tool its operator lacks). */
  refuse(call: {
    operator: { name: string };
    toolName: string;
    rawArgs: unknown;
    requester: InvokeCall["requester"];
    source: InvokeCall["source"];
    reason: string;
  }): void {
    const user = this.#o.identities.resolve(call.requester.platform as Platform, call.requester.userId);
    this.#o.audit.append({
      actor: user?.name ?? `${call.requester.platform}:${call.requester.userId}`,
      source: call.source,
      operator: call.operator.name,
      tool: call.toolName,
      arguments: call.rawArgs,
      decision: "deny",
      reason: call.reason,
      details: { proposedBy: "model" },
    });
  }

  /** Marks overdue approvals expired, edits their cards and releases their waiters. */
  async sweepExpired(): Promise<void> {
    for (const approval of this.#o.approvals.expireDue()) {
      this.#o.audit.append({
        actor: "vigil",
        source: "system",
        operator: approval.operator,
        tool: approval.tool,
        decision: "expired",
        reason: `approval ${approval.id} expired`,
      });
      await this.#editCards(approval);
      this.#release(approval.id, {
        status: "expired",
        output: "Nobody approved the call before it expired.",
        reason: "expired",
      });
    }
  }

  async #awaitApproval(
    call: InvokeCall,
    args: Record<string, unknown>,
    decision: GateDecision,
    user: VigilUser | undefined,
    base: AuditBase,
  ): Promise<InvokeOutcome> {
    const context: ApprovalContext | undefined = call.chat
      ? {
          platform: call.chat.adapter.platform,
          conversation: call.chat.target.conversation,
          thread: call.chat.target.thread,
        }
      : undefined;
    const approval = this.#o.approvals.request({ ...decision, args }, user, {
      trust: call.operator.trust,
      requiredApprovals: decision.requiredApprovals,
      context,
    });
    const onAbort = () => void this.#withdraw(approval.id, user);
    const outcome = new Promise<InvokeOutcome>((resolve) => {
      this.#waiting.set(approval.id, { resolve, call, base });
    });
    call.signal.addEventListener("abort", onAbort, { once: true });
    await this.#postCards(approval, context);
    // A task's signal lives across many calls: leave no listener behind on it.
    return outcome.finally(() => call.signal.removeEventListener("abort", onAbort));
  }

  async #postCards(approval: Approval, context: ApprovalContext | undefined): Promise<void> {
    const card = createCard(approvalCard(approval, { redact: this.#o.redact }));
    const targets: { platform: Platform; target: ReplyTarget }[] = [];
    if (context)
      targets.push({
        platform: context.platform,
        target: { conversation: context.conversation, thread: context.thread },
      });
    const channel = this.#o.approvalsChannel;
    if (
      channel &&
      !(context && channel.platform === context.platform && channel.conversation === context.conversation)
    ) {
      targets.push({ platform: channel.platform, target: { conversation: channel.conversation } });
    }
    for (const { platform, target } of targets) {
      try {
        this.#o.cards.add(approval.id, await this.#o.hub.post(platform, target, card));
      } catch (err) {
        this.#o.log.error({ err, approval: approval.id, platform }, "could not post an approval card");
      }
    }
  }

  async #onClick(ctx: ChatContext, actionId: string): Promise<void> {
    const { platform, user } = ctx.event;
    const clicker = this.#o.identities.resolve(platform, user.id);
    const result = this.#o.approvals.handleAction(actionId, clicker);
    const actor = clicker?.name ?? `${platform}:${user.id}`;
    if (result.kind === "unknown") {
      await ctx.reply(`That button was refused: ${result.reason}.`);
      return;
    }
    if (result.kind === "revoke-grant") {
      this.#o.audit.append({
        actor,
        source: "chat",
        decision: result.ok ? "revoked" : "refused",
        reason: result.ok ? `grant ${result.grant.id} revoked` : result.reason,
        grantId: result.ok ? result.grant.id : undefined,
      });
      if (!result.ok) {
        await ctx.reply(`Revoke refused for ${user.name ?? user.id}: ${result.reason}.`);
        return;
      }
      if (ctx.event.kind === "action") {
        const card = grantAnnouncementCard(result.grant, {
          redact: this.#o.redact,
          args: {},
          state: `Revoked by ${actor}`,
        });
        await ctx.update(ctx.event.message, createCard({ ...card, buttons: [] }));
      }
      return;
    }
    await this.#settle(ctx, result, actor);
  }

  async #settle(ctx: ChatContext, result: DecideResult, actor: string): Promise<void> {
    const audit = (a: Approval | undefined, decision: string, reason: string, grantId?: string) =>
      this.#o.audit.append({
        actor,
        source: "chat",
        operator: a?.operator,
        tool: a?.tool,
        arguments: a?.args,
        decision,
        reason,
        grantId,
        ...whereOf(ctx),
      });
    if (result.outcome === "refused") {
      audit(result.approval, "refused", `click refused: ${result.reason}`);
      await ctx.reply(`${ctx.event.user.name ?? ctx.event.user.id}: ${result.reason}.`);
      return;
    }
    const a = result.approval;
    switch (result.outcome) {
      case "pending":
        audit(a, "approved", `approval ${a.id}: ${result.votes} of ${result.required} approvers`);
        await this.#editCards(
          a,
          `${result.votes} of ${result.required} approvals (${a.approvers.join(", ")})`,
        );
        return;
      case "expired":
        audit(a, "expired", `approval ${a.id} clicked after it expired`);
        await this.#editCards(a);
        this.#release(a.id, {
          status: "expired",
          output: "The approval expired before it was decided.",
          reason: "expired",
        });
        return;
      case "denied":
        audit(a, "denied", `approval ${a.id} denied`);
        await this.#editCards(a);
        this.#release(a.id, { status: "denied", output: `Denied by ${a.decidedBy}.`, reason: "denied" });
        return;
      case "approved": {
        audit(a, "approved", `approval ${a.id} approved`, result.grant.id);
        await this.#editCards(a);
        const waiter = this.#waiting.get(a.id);
        this.#waiting.delete(a.id);
        // After a restart no waiter exists: the stored approval names the call to run.
        const target = waiter ? waiter.call : this.#o.resolveCall(a.operator, a.tool);
        if (!target) {
          await ctx.reply(`Approved, but ${a.operator}/${a.tool} no longer exists here, so nothing ran.`);
          return;
        }
        const base: AuditBase = waiter?.base ?? {
          actor: a.requester?.name ?? actor,
          source: "chat",
          operator: a.operator,
          tool: a.tool,
          ...this.#contextOf(a),
        };
        const signal = waiter?.call.signal ?? new AbortController().signal;
        const outcome = await this.#runWithGrant(
          target.operator,
          target.tool,
          a.args as Record<string, unknown>,
          a,
          result.grant,
          base,
          signal,
        );
        if (waiter) waiter.resolve(outcome);
        else await this.#reportOrphan(a, outcome);
        return;
      }
    }
  }

  /** After a restart the task that asked is gone: report the result in its thread. */
  async #reportOrphan(a: Approval, outcome: InvokeOutcome): Promise<void> {
    const ctx = this.#contextOf(a);
    if (!ctx.platform || !ctx.conversation) return;
    const body = `**${a.tool}** ran after approval (${outcome.status}):\n\n\`\`\`\n${outcome.output}\n\`\`\``;
    await this.#o.hub
      .post(
        ctx.platform as Platform,
        { conversation: ctx.conversation, thread: ctx.thread },
        createCard({ markdown: body }),
      )
      .catch((err: unknown) => {
        this.#o.log.error({ err, approval: a.id }, "could not report an approved call's result");
      });
  }

  async #runWithGrant(
    operator: InvokerOperator,
    tool: Tool,
    args: Record<string, unknown>,
    bound: Pick<GateDecision, "operator" | "tool" | "argsHash" | "resource" | "permission">,
    grant: Grant,
    base: AuditBase,
    signal: AbortSignal,
  ): Promise<InvokeOutcome> {
    const consumed = this.#o.grants.consume(grant, {
      operator: bound.operator,
      tool: bound.tool,
      argsHash: bound.argsHash,
      resource: bound.resource,
      permission: bound.permission,
    });
    if (!consumed.ok) {
      this.#o.audit.append({
        ...base,
        arguments: args,
        decision: "deny",
        reason: consumed.reason,
        grantId: grant.id,
      });
      return { status: "denied", output: `Not run: ${consumed.reason}.`, reason: consumed.reason };
    }
    return this.#run(operator, tool, args, base, signal, grant.id);
  }

  async #run(
    operator: InvokerOperator,
    tool: Tool,
    args: Record<string, unknown>,
    base: AuditBase,
    signal: AbortSignal,
    grantId: string | undefined,
  ): Promise<InvokeOutcome> {
    // One signal per call, linked to the task's and to a timeout, and unlinked afterwards: a
    // task's signal outlives many calls, and listeners left on it make every later call slower.
    const controller = new AbortController();
    const stop = () => controller.abort(signal.reason);
    signal.addEventListener("abort", stop, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error("the tool ran past its time limit"));
    }, this.#o.toolTimeoutMs ?? 300_000);
    let status: OutcomeStatus;
    let output: string;
    try {
      const result = await tool.run(args, {
        signal: controller.signal,
        workingDirectory: operator.workingDirectory,
      });
      output = this.#o.redact(result.output);
      status = signal.aborted ? "stopped" : result.ok ? "ok" : "error";
    } catch (err) {
      output = this.#o.redact(err instanceof Error ? err.message : String(err));
      status = signal.aborted
        ? "stopped"
        : isVigilError(err) && err.code === ErrorCodes.POLICY_DENIED
          ? "denied"
          : "error";
      if (timedOut && !signal.aborted) output = `timed out: ${output}`;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener("abort", stop);
    }
    this.#o.audit.append({
      ...base,
      arguments: args,
      decision: status === "ok" ? "executed" : status === "denied" ? "deny" : "failed",
      reason: status === "ok" ? undefined : status,
      grantId,
      resultSummary: output.slice(0, SUMMARY_CHARS),
    });
    return { status, output };
  }

  /** The task was stopped while waiting: withdraw the request so a later click runs nothing. */
  async #withdraw(approvalId: string, requester: VigilUser | undefined): Promise<void> {
    if (!this.#waiting.has(approvalId)) return;
    const approval = this.#o.approvals.get(approvalId);
    if (approval?.status === "pending") {
      const result = this.#o.approvals.decide(approvalId, "deny", requester);
      if (result.outcome === "denied")
        await this.#editCards(result.approval, "Withdrawn: the task was stopped");
    }
    this.#release(approvalId, {
      status: "stopped",
      output: "Stopped while waiting for approval.",
      reason: "stopped",
    });
  }

  #release(approvalId: string, outcome: InvokeOutcome): void {
    const waiter = this.#waiting.get(approvalId);
    this.#waiting.delete(approvalId);
    waiter?.resolve(outcome);
  }

  async #editCards(approval: Approval, state?: string): Promise<void> {
    const card = createCard(approvalCard(approval, { redact: this.#o.redact, state }));
    const settled = approval.status !== "pending" ? { ...card, buttons: [] } : card;
    for (const ref of this.#o.cards.list(approval.id)) {
      await this.#edit(ref, settled);
    }
  }

  async #edit(ref: MessageRef, card: ReturnType<typeof createCard>): Promise<void> {
    const adapter = this.#o.hub.adapter(ref.platform);
    if (!adapter) return;
    await adapter.update(ref, card).catch((err: unknown) => {
      this.#o.log.warn({ err, ref }, "could not edit an approval card");
    });
  }

  #where(call: InvokeCall): { platform?: string; conversation?: string; thread?: string } {
    if (!call.chat) return { platform: call.requester.platform };
    return {
      platform: call.chat.adapter.platform,
      conversation: call.chat.target.conversation,
      thread: call.chat.target.thread,
    };
  }

  #contextOf(a: Approval): { platform?: string; conversation?: string; thread?: string } {
    const c = a.context as ApprovalContext | undefined;
    return c ? { platform: c.platform, conversation: c.conversation, thread: c.thread } : {};
  }
}

type AuditBase = {
  actor: string;
  source: CallSourceKind;
  operator: string;
  tool: string;
  platform?: string;
  conversation?: string;
  thread?: string;
};
