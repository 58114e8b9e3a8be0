// The orchestrator's chat side: routes free text to an operator (`@name`, the thread's
// remembered operator, a router model, or a lexical ranking that asks when it is a close
// call), and offers the `run`, `tasks`, `task`, `operators` and `operator` commands.

import { createCard } from "../core/card.ts";
import type { ChatContext, ChatHub } from "../core/chat-hub.ts";
import type { Middleware } from "../core/compose.ts";
import type { Command } from "../core/router.ts";
import type { LlmClient } from "../llm/llm-client.ts";
import { pickLexically } from "../operators/lexical-router.ts";
import { pickByModel } from "../operators/model-router.ts";
import type { ModelRef, Operator } from "../operators/operator.ts";
import type { OperatorPatch } from "../operators/operator-repository.ts";
import { operatorCommands } from "./operator-commands.ts";
import { parseKeyValues } from "./parse-key-values.ts";
import { taskCommands } from "./task-commands.ts";
import type { TaskRepository } from "./task-repository.ts";
import {
  NO_MODEL_HELP,
  type OrchestratorLimits,
  type OrchestratorLog,
  type SessionPort,
  TASK_ACTIONS,
  TaskRunner,
} from "./task-runner.ts";
import type { ToolInvoker } from "./tool-invoker.ts";
import type { ToolRegistry } from "./tool-registry.ts";

/** What the orchestrator needs from the operator repository. */
export interface OperatorSource {
  list(): Operator[];
  get(name: string): Operator | undefined;
  set?(name: string, patch: OperatorPatch, updatedBy: string): Operator;
  reset?(name: string, by?: string): boolean;
  isEdited?(name: string): boolean;
}

export interface OrchestratorOptions {
  operators: OperatorSource;
  registry: ToolRegistry;
  invoker: ToolInvoker;
  /** The client for a provider/model, or undefined when that provider is not configured. */
  llmFor: (ref: ModelRef) => LlmClient | undefined;
  redact: (text: string) => string;
  tasks: TaskRepository;
  sessions: SessionPort;
  log: OrchestratorLog;
  limits?: OrchestratorLimits & {
    /** Second-best lexical score at or above this share of the best counts as a close call (default 0.85). */
    readonly closeRatio?: number;
  };
  /** Picks operators for free text when set and configured; otherwise the lexical ranking does. */
  routerModel?: ModelRef;
  /** Model for operators that name none. */
  defaultModel?: ModelRef;
  /** Who may edit operators from chat (default: nobody). */
  isAdmin?: (ctx: ChatContext) => boolean;
}

export interface Orchestrator {
  /** Goes after the command router (with passFreeText): handles the free text it passes on. */
  readonly middleware: Middleware<ChatContext>;
  /** `run`, `tasks`, `task`, `operators`, `operator`: give them to the command router. */
  readonly commands: Command[];
  /** Registers the Stop, Re-run and operator-choice button handlers. */
  registerActions(hub: ChatHub): void;
  /** Resolves when every running task has ended. */
  idle(): Promise<void>;
  /** Aborts every running task (call before hub.stop at shutdown). */
  stopAll(): void;
  readonly runner: TaskRunner;
}

/** Action handler name of the operator-choice buttons of a close call. */
export const PICK_ACTION = "orch.pick";

const AT_OPERATOR = /^@([a-z][a-z0-9_-]*)(?:\s+([\s\S]*))?$/i;

function isKeyValues(text: string): boolean {
  try {
    parseKeyValues(text);
    return true;
  } catch {
    return false;
  }
}

export function createOrchestrator(opts: OrchestratorOptions): Orchestrator {
  const { operators, registry, log } = opts;
  const isAdmin = opts.isAdmin ?? (() => false);
  const runner = new TaskRunner(opts);
  const interrupted = opts.tasks.markInterrupted();
  if (interrupted.length > 0) {
    log.warn(
      { tasks: interrupted.map((t) => t.id) },
      "tasks interrupted by a restart were marked interrupted",
    );
  }

  const anyModel = (): boolean => operators.list().some((op) => runner.modelOf(op) !== undefined);
  const unknownOperator = (name: string) =>
    `There is no operator named \`${name}\`. Operators: ${operators
      .list()
      .map((o) => `\`@${o.name}\``)
      .join(", ")}.`;

  /** `@op rest`: a tool name first means direct use, anything else goes to the agent loop. */
  async function handleAddressed(ctx: ChatContext, op: Operator, rest: string): Promise<void> {
    opts.sessions.setOperator(ctx.session.id, op.name);
    if (rest === "") {
      await ctx.reply(`This thread now talks to **${op.name}**: ${op.description}`);
      return;
    }
    const first = /^(\S+)\s*([\s\S]*)$/.exec(rest);
    const tool = first ? registry.get(first[1], op.name) : undefined;
    // "@observer echo twice" reads as a sentence, not a call: with a model it goes to the model.
    if (tool && first && (isKeyValues(first[2]) || !runner.modelOf(op))) {
      await runTool(ctx, op, tool.name, first[2], rest);
      return;
    }
    await runner.startAgent(ctx, op, rest);
  }

  async function runTool(
    ctx: ChatContext,
    op: Operator,
    toolName: string,
    argText: string,
    request: string,
  ): Promise<void> {
    const tool = registry.get(toolName, op.name);
    if (!tool) {
      await ctx.reply(
        `There is no tool \`${toolName}\`. \`tools\` are listed by \`operator show ${op.name}\`.`,
      );
      return;
    }
    if (!registry.assigned(op, tool.name)) {
      await ctx.reply(
        `**${op.name}** may not use \`${tool.name}\`. Its tools: ${op.tools.join(", ") || "none"}.`,
      );
      return;
    }
    let args: Record<string, unknown>;
    try {
      args = parseKeyValues(argText);
    } catch (err) {
      await ctx.reply(`${(err as Error).message}. Usage: \`run ${tool.name} key=value …\``);
      return;
    }
    await runner.startTool(ctx, op, tool, args, request);
  }

  async function route(ctx: ChatContext, request: string): Promise<void> {
    const remembered = ctx.session.operator ? operators.get(ctx.session.operator) : undefined;
    if (remembered) {
      await runner.startAgent(ctx, remembered, request);
      return;
    }
    if (!anyModel()) {
      await ctx.reply(NO_MODEL_HELP);
      return;
    }
    const all = operators.list();
    if (all.length === 0) {
      await ctx.reply("No operators are defined. Add one in config/operators/*.yaml.");
      return;
    }
    const routerLlm = opts.routerModel && opts.llmFor(opts.routerModel);
    if (opts.routerModel && routerLlm) {
      try {
        const pick = await pickByModel(routerLlm, opts.routerModel, request, all);
        const chosen = pick.operator && operators.get(pick.operator);
        if (chosen) {
          opts.sessions.setOperator(ctx.session.id, chosen.name);
          await runner.startAgent(ctx, chosen, request, { routingTokens: pick.tokens });
          return;
        }
        log.info({ session: ctx.session.id }, "the router model named no operator; ranking lexically");
      } catch (err) {
        log.warn({ err }, "the router model failed; ranking lexically");
      }
    }
    const pick = pickLexically(request, all, { closeRatio: opts.limits?.closeRatio ?? 0.85 });
    if (pick.kind === "chosen") {
      const chosen = operators.get(pick.operator) as Operator;
      opts.sessions.setOperator(ctx.session.id, chosen.name);
      await runner.startAgent(ctx, chosen, request);
      return;
    }
    await ctx.reply(
      createCard({
        title: "Which operator?",
        markdown: `I'm not sure who should take this. Pick one (this thread will remember it):\n\n${pick.candidates
          .map((n) => `- **${n}**: ${operators.get(n)?.description ?? ""}`)
          .join("\n")}`,
        buttons: pick.candidates.map((n) => ctx.button(n, PICK_ACTION, { operator: n, request })),
      }),
    );
  }

  const middleware: Middleware<ChatContext> = async (ctx, next) => {
    if (ctx.event.kind !== "message" || ctx.text === "") return next();
    const at = AT_OPERATOR.exec(ctx.text);
    if (at) {
      const op = operators.get(at[1]);
      if (!op) {
        await ctx.reply(unknownOperator(at[1]));
        return;
      }
      await handleAddressed(ctx, op, (at[2] ?? "").trim());
      return;
    }
    await route(ctx, ctx.text);
  };

  const commands: Command[] = [
    {
      name: "run",
      summary: "run a tool directly, without a model",
      usage: "run [@operator] <tool> key=value …",
      async run(ctx, args) {
        const m = /^(?:@([a-z][a-z0-9_-]*)\s+)?(\S+)\s*([\s\S]*)$/i.exec(args);
        if (!m) {
          await ctx.reply("Usage: `run [@operator] <tool> key=value …`, e.g. `run docker.list all=true`.");
          return;
        }
        const [, opName, toolName, argText] = m;
        let op: Operator | undefined;
        if (opName) {
          op = operators.get(opName);
          if (!op) {
            await ctx.reply(unknownOperator(opName));
            return;
          }
        } else {
          op = operatorForTool(ctx, toolName);
          if (!op) {
            await ctx.reply(
              registry.list().some((t) => t.name === toolName)
                ? `No operator may use \`${toolName}\`; add it to an operator's tools.`
                : `There is no tool \`${toolName}\`.`,
            );
            return;
          }
        }
        await runTool(ctx, op, toolName, argText, `run ${args}`);
      },
    },
    ...taskCommands({ tasks: opts.tasks, runner, isAdmin }),
    ...operatorCommands({ operators, registry, isAdmin, runner }),
  ];

  /** The thread's operator when it may use the tool, else the least privileged one that may. */
  function operatorForTool(ctx: ChatContext, toolName: string): Operator | undefined {
    const remembered = ctx.session.operator ? operators.get(ctx.session.operator) : undefined;
    if (remembered && registry.assigned(remembered, toolName)) return remembered;
    const rank = { read: 0, write: 1, exec: 2, elevate: 3 } as const;
    return operators
      .list()
      .filter((op) => registry.assigned(op, toolName))
      .sort((a, b) => rank[a.ceiling] - rank[b.ceiling])[0];
  }

  function registerActions(hub: ChatHub): void {
    hub.onAction(TASK_ACTIONS.stop, async (ctx, payload) => {
      const id = (payload as { task?: string } | null)?.task ?? "";
      const by = ctx.event.user.name ?? ctx.event.user.id;
      if (!runner.stop(id, by)) {
        const task = opts.tasks.get(id);
        await ctx.reply(`Task ${id} is not running${task ? ` (it is ${task.status})` : ""}.`);
      }
    });
    hub.onAction(TASK_ACTIONS.rerun, async (ctx, payload) => {
      const id = (payload as { task?: string } | null)?.task ?? "";
      const task = opts.tasks.get(id);
      if (!task) {
        await ctx.reply(`There is no task ${id}.`);
        return;
      }
      if (task.status === "running") {
        await ctx.reply(`Task ${id} is still running.`);
        return;
      }
      const op = operators.get(task.operator);
      if (!op) {
        await ctx.reply(`The operator ${task.operator} no longer exists, so task ${id} cannot be re-run.`);
        return;
      }
      await runner.rerun(ctx, task, op);
    });
    hub.onAction(PICK_ACTION, async (ctx, payload) => {
      const p = payload as { operator?: string; request?: string } | null;
      const op = p?.operator ? operators.get(p.operator) : undefined;
      if (!op || !p?.request) {
        await ctx.reply("That operator is no longer available; ask again.");
        return;
      }
      opts.sessions.setOperator(ctx.session.id, op.name);
      if (ctx.event.kind === "action") {
        await ctx
          .update(
            ctx.event.message,
            createCard({
              title: "Which operator?",
              markdown: `Routed to **${op.name}**.`,
              state: `${op.name} chosen by ${ctx.event.user.name ?? ctx.event.user.id}`,
            }),
          )
          .catch((err) => log.warn({ err }, "could not settle the operator choice card"));
      }
      await runner.startAgent(ctx, op, p.request);
    });
  }

  return {
    middleware,
    commands,
    registerActions,
    idle: () => runner.idle(),
    stopAll: () => runner.stopAll(),
    runner,
  };
}
