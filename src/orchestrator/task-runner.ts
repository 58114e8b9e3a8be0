// Runs tasks: an operator's agent loop for a request, or one direct tool call. Each task gets
// a card with a Stop button that aborts the model call and the running tool; the card shows
// the outcome after, with Re-run. Tasks run detached from the delivery that started them, so
// a platform that delivers events one at a time can still deliver the Stop click.

import type { MessageRef } from "../core/chat-adapter.ts";
import type { ChatContext } from "../core/chat-hub.ts";
import type { LlmClient, LlmMessage } from "../llm/llm-client.ts";
import type { ModelRef, Operator } from "../operators/operator.ts";
import type { SessionMessage } from "../store/session-repository.ts";
import type { Tool } from "../tools/tool.ts";
import { runAgentLoop } from "./agent-loop.ts";
import { taskCard } from "./task-card.ts";
import type { TaskRecord, TaskRepository, TaskStatus } from "./task-repository.ts";
import type { Requester, ToolInvoker } from "./tool-invoker.ts";
import type { ToolRegistry } from "./tool-registry.ts";

export interface OrchestratorLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface OrchestratorLimits {
  /** Model turns per task (default 8). */
  readonly maxSteps?: number;
  /** Tokens a thread may spend over all its tasks (default 200 000). */
  readonly sessionTokenBudget?: number;
  /** Earlier messages of the thread given to the model (default 30). */
  readonly historyMessages?: number;
}

/** What the runner needs from the session repository. */
export interface SessionPort {
  setOperator(sessionId: string, operator: string | null): void;
  history(sessionId: string, limit?: number): SessionMessage[];
}

export interface TaskRunnerOptions {
  registry: ToolRegistry;
  invoker: ToolInvoker;
  llmFor: (ref: ModelRef) => LlmClient | undefined;
  redact: (text: string) => string;
  tasks: TaskRepository;
  sessions: SessionPort;
  log: OrchestratorLog;
  limits?: OrchestratorLimits;
  /** Model for operators that name none. */
  defaultModel?: ModelRef;
}

/** Action handler names of the task buttons. */
export const TASK_ACTIONS = { stop: "orch.stop", rerun: "orch.rerun" } as const;

interface Running {
  readonly controller: AbortController;
  stoppedBy?: string;
}

export const NO_MODEL_HELP = [
  "No model is configured for this, so I can only run tools directly for now.",
  "",
  "To let operators answer free text: add a provider under `providers:` in vigil.yaml (for example `{ name: openai, kind: openai, apiKey: … }`), then choose a model for every operator with `models: { default: openai/gpt-4o-mini }` in vigil.yaml, or for one with `operator set <name> model openai/gpt-4o-mini` (admins).",
  "",
  "Meanwhile direct use works: `@observer docker.list` or `run docker.list all=true`.",
].join("\n");

export function requesterOf(ctx: ChatContext): Requester {
  const { user, platform } = ctx.event;
  return { platform, userId: user.id, ...(user.name ? { name: user.name } : {}) };
}

export class TaskRunner {
  readonly #o: TaskRunnerOptions;
  readonly #running = new Map<string, Running>();
  readonly #work = new Set<Promise<void>>();
  readonly maxSteps: number;
  readonly budget: number;

  constructor(opts: TaskRunnerOptions) {
    this.#o = opts;
    this.maxSteps = opts.limits?.maxSteps ?? 8;
    this.budget = opts.limits?.sessionTokenBudget ?? 200_000;
  }

  /** The model ref an operator uses and its client, when one is configured. */
  modelOf(operator: Operator): { ref: ModelRef; llm: LlmClient } | undefined {
    const ref = operator.model ?? this.#o.defaultModel;
    const llm = ref && this.#o.llmFor(ref);
    return ref && llm ? { ref, llm } : undefined;
  }

  runningIds(): string[] {
    return [...this.#running.keys()];
  }

  isRunning(id: string): boolean {
    return this.#running.has(id);
  }

  /** Resolves when every task started so far has ended. */
  async idle(): Promise<void> {
    while (this.#work.size > 0) await Promise.allSettled([...this.#work]);
  }

  /** Aborts a running task; false when it is not running here. */
  stop(id: string, by: string): boolean {
    const r = this.#running.get(id);
    if (!r) return false;
    r.stoppedBy ??= by;
    r.controller.abort(new Error(`stopped by ${by}`));
    return true;
  }

  /** Aborts every running task (at shutdown). */
  stopAll(reason = "Vigil is shutting down"): void {
    for (const id of this.#running.keys()) this.stop(id, reason);
  }

  /** Starts the agent loop for `request`; replies with advice instead when no model or budget is left. */
  async startAgent(
    ctx: ChatContext,
    operator: Operator,
    request: string,
    { routingTokens = 0 }: { routingTokens?: number } = {},
  ): Promise<TaskRecord | undefined> {
    const model = this.modelOf(operator);
    if (!model) {
      await ctx.reply(NO_MODEL_HELP.replace("for this", `for **${operator.name}**`));
      return undefined;
    }
    const spent = this.#o.tasks.spent(ctx.session.id);
    if (spent + routingTokens >= this.budget) {
      await ctx.reply(
        `This thread has spent its token budget (${spent} of ${this.budget} tokens), so I won't send more to the model here. Start a new thread to go on.`,
      );
      return undefined;
    }
    const requester = requesterOf(ctx);
    const task = this.#o.tasks.create({
      sessionId: ctx.session.id,
      operator: operator.name,
      kind: "agent",
      request,
      requester,
      tokens: routingTokens,
    });
    const history = this.#historyFor(ctx);
    await this.#launch(ctx, task, async (signal, progress) => {
      const result = await runAgentLoop({
        operator,
        llm: model.llm,
        modelId: model.ref.model,
        registry: this.#o.registry,
        invoker: this.#o.invoker,
        redact: this.#o.redact,
        history,
        request,
        requester,
        chat: ctx,
        signal,
        maxSteps: this.maxSteps,
        tokensLeft: this.budget - spent - routingTokens,
        onStep: (step, tokens) => {
          this.#o.tasks.addStep(task.id, step, tokens);
          if (step.kind === "tool") progress(`${step.tool} → ${step.status}`);
        },
      });
      if (result.reason === "stopped") return { status: "stopped", result: result.text };
      await ctx.reply(result.text || "(the model gave an empty answer)");
      const status: TaskStatus = result.reason === "answered" ? "finished" : "failed";
      return { status, result: result.text };
    });
    return task;
  }

  /** Starts one direct tool call (no model) through the invoker. */
  async startTool(
    ctx: ChatContext,
    operator: Operator,
    tool: Tool,
    rawArgs: unknown,
    request: string,
  ): Promise<TaskRecord> {
    const requester = requesterOf(ctx);
    const task = this.#o.tasks.create({
      sessionId: ctx.session.id,
      operator: operator.name,
      kind: "tool",
      request,
      tool: tool.name,
      args: rawArgs,
      requester,
    });
    await this.#launch(ctx, task, async (signal) => {
      const outcome = await this.#o.invoker.invoke({
        operator,
        tool,
        rawArgs,
        requester,
        source: "chat",
        chat: ctx,
        signal,
      });
      this.#o.tasks.addStep(task.id, {
        kind: "tool",
        tool: tool.name,
        arguments: this.#o.redact(JSON.stringify(rawArgs)),
        status: outcome.status,
        output: outcome.output,
        at: new Date().toISOString(),
      });
      if (outcome.status === "stopped" || signal.aborted)
        return { status: "stopped", result: outcome.output };
      const head =
        outcome.status === "ok" ? "" : `${outcome.status}${outcome.reason ? `: ${outcome.reason}` : ""}\n`;
      return {
        status: outcome.status === "ok" ? "finished" : "failed",
        result: `${head}${outcome.output}`,
        detail: `${head}${outcome.output || "(no output)"}`,
      };
    });
    return task;
  }

  /** Posts the card, runs `body` detached, and settles the card and the task row when it ends. */
  async #launch(
    ctx: ChatContext,
    task: TaskRecord,
    body: (
      signal: AbortSignal,
      progress: (line: string) => void,
    ) => Promise<{ status: Exclude<TaskStatus, "running">; result: string; detail?: string }>,
  ): Promise<void> {
    const { tasks, log } = this.#o;
    const running: Running = { controller: new AbortController() };
    this.#running.set(task.id, running);
    const stopButton = ctx.button("Stop", TASK_ACTIONS.stop, { task: task.id }, "danger");
    let ref: MessageRef;
    try {
      ref = await ctx.reply(taskCard({ task, status: "running", buttons: [stopButton] }));
    } catch (err) {
      this.#running.delete(task.id);
      tasks.finish(task.id, "failed", `could not post the task card: ${(err as Error).message}`);
      throw err;
    }
    tasks.setCard(task.id, ref);
    const started = Date.now();
    const lines: string[] = [];
    // Card edits are serialised so a late progress edit never overwrites the outcome.
    let edits = Promise.resolve();
    const edit = (card: Parameters<ChatContext["update"]>[1]) => {
      edits = edits
        .then(() => ctx.update(ref, card))
        .catch((err) => log.warn({ err, task: task.id }, "could not update a task card"));
      return edits;
    };
    const progress = (line: string) => {
      lines.push(line);
      void edit(
        taskCard({ task, status: "running", detail: lines.slice(-5).join("\n"), buttons: [stopButton] }),
      );
    };

    const work = (async () => {
      let outcome: { status: Exclude<TaskStatus, "running">; result: string; detail?: string };
      try {
        outcome = await body(running.controller.signal, progress);
      } catch (err) {
        if (running.controller.signal.aborted) outcome = { status: "stopped", result: "Stopped." };
        else {
          log.error({ err, task: task.id, operator: task.operator }, "task failed");
          const reason = this.#o.redact(err instanceof Error ? err.message : String(err));
          outcome = { status: "failed", result: reason, detail: reason };
          await ctx.reply(`Task ${task.id} failed: ${reason}`).catch(() => {});
        }
      } finally {
        this.#running.delete(task.id);
      }
      if (running.controller.signal.aborted) outcome = { ...outcome, status: "stopped" };
      tasks.finish(task.id, outcome.status, outcome.result);
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      const state =
        outcome.status === "stopped"
          ? `Stopped by ${running.stoppedBy ?? "someone"} after ${secs} s`
          : `${outcome.status === "finished" ? "Finished" : "Failed"} in ${secs} s`;
      const rerun = ctx.button("Re-run", TASK_ACTIONS.rerun, { task: task.id });
      // Settled cards keep a Re-run button; `state` is the outcome line.
      await edit({
        ...taskCard({ task, status: outcome.status, detail: outcome.detail, buttons: [rerun] }),
        state,
      });
    })().catch((err) => log.error({ err, task: task.id }, "settling a task failed"));
    this.#work.add(work);
    void work.finally(() => this.#work.delete(work));
  }

  /** Re-runs a finished, stopped, failed or interrupted task in the thread of `ctx`, for the clicker. */
  async rerun(ctx: ChatContext, task: TaskRecord, operator: Operator): Promise<void> {
    if (task.kind === "tool") {
      const tool = task.tool ? this.#o.registry.get(task.tool, operator.name) : undefined;
      if (!tool) {
        await ctx.reply(
          `The tool ${task.tool} is not available any more, so task ${task.id} cannot be re-run.`,
        );
        return;
      }
      await this.startTool(ctx, operator, tool, task.args, task.request);
      return;
    }
    await this.startAgent(ctx, operator, task.request);
  }

  /** The thread so far, without the current message, task cards and tool output (kept out of the model's context). */
  #historyFor(ctx: ChatContext): LlmMessage[] {
    const limit = this.#o.limits?.historyMessages ?? 30;
    const cards = this.#o.tasks.cardMessageIds(ctx.session.id);
    const current = ctx.event.kind === "message" ? ctx.event.messageId : undefined;
    const out: LlmMessage[] = [];
    for (const m of this.#o.sessions.history(ctx.session.id, limit + 1)) {
      if (m.platformMessageId !== null && (cards.has(m.platformMessageId) || m.platformMessageId === current))
        continue;
      if (m.role === "user") out.push({ role: "user", content: m.text });
      else if (m.role === "assistant") out.push({ role: "assistant", content: m.text });
    }
    return out.slice(-limit);
  }
}
