// `tasks` (running ones in this conversation; admins see all) and `task <id>` (steps,
// outcome and a Re-run button).

import { createCard } from "../core/card.ts";
import type { ChatContext } from "../core/chat-hub.ts";
import type { Command } from "../core/router.ts";
import { fence, quote } from "./task-card.ts";
import type { TaskRecord, TaskRepository } from "./task-repository.ts";
import { TASK_ACTIONS, type TaskRunner } from "./task-runner.ts";

export interface TaskCommandsOptions {
  tasks: TaskRepository;
  runner: TaskRunner;
  isAdmin: (ctx: ChatContext) => boolean;
}

export function taskCommands({ tasks, runner, isAdmin }: TaskCommandsOptions): Command[] {
  const visible = (ctx: ChatContext, t: TaskRecord) =>
    isAdmin(ctx) || t.sessionId === ctx.session.id || sameConversation(ctx, t, tasks);
  return [
    {
      name: "tasks",
      summary: "list running tasks",
      async run(ctx) {
        const running = tasks.list({ status: "running", limit: 200 }).filter((t) => visible(ctx, t));
        if (running.length === 0) {
          await ctx.reply("No tasks are running here. `task <id>` shows a finished one.");
          return;
        }
        await ctx.reply(
          createCard({
            title: "Running tasks",
            markdown: running
              .map(
                (t) =>
                  `- \`${t.id}\` **${t.operator}** ${t.kind === "tool" ? `\`${t.tool}\`` : quote(t.request, 80)} since ${t.createdAt}`,
              )
              .join("\n"),
            buttons: running
              .filter((t) => runner.isRunning(t.id))
              .slice(0, 5)
              .map((t) => ctx.button(`Stop ${t.id}`, TASK_ACTIONS.stop, { task: t.id }, "danger")),
          }),
        );
      },
    },
    {
      name: "task",
      summary: "show a task's steps and outcome, with Re-run",
      usage: "task <id>",
      async run(ctx, args) {
        const id = args.trim();
        const task = id ? tasks.get(id) : undefined;
        if (!task || !visible(ctx, task)) {
          await ctx.reply(
            id ? `There is no task \`${id}\` here. \`tasks\` lists running ones.` : "Usage: `task <id>`.",
          );
          return;
        }
        const steps = task.steps.map((s, i) =>
          s.kind === "model"
            ? `${i + 1}. model: ${s.toolCalls.length > 0 ? `asks for ${s.toolCalls.map((c) => `\`${c.name}\``).join(", ")}` : "answers"} (${s.tokens} tokens)`
            : `${i + 1}. \`${s.tool}\` ${s.arguments} → **${s.status}**: ${oneLine(s.output)}`,
        );
        const buttons =
          task.status === "running"
            ? [ctx.button("Stop", TASK_ACTIONS.stop, { task: task.id }, "danger")]
            : [ctx.button("Re-run", TASK_ACTIONS.rerun, { task: task.id })];
        await ctx.reply(
          createCard({
            title: `Task ${task.id}`,
            markdown: [
              `**${task.operator}**: ${quote(task.request)}`,
              "",
              steps.length > 0 ? steps.join("\n") : "(no steps)",
              ...(task.result ? ["", "Result:", fence(task.result)] : []),
            ].join("\n"),
            fields: [
              { label: "Status", value: task.status },
              { label: "Tokens", value: String(task.tokens) },
              { label: "Requested by", value: task.requester.name ?? task.requester.userId },
              { label: "Started", value: task.createdAt },
              ...(task.finishedAt ? [{ label: "Ended", value: task.finishedAt }] : []),
            ],
            buttons,
          }),
        );
      },
    },
  ];
}

function oneLine(text: string, max = 160): string {
  const t = text.replace(/\s+/g, " ").trim();
  return t.length > max ? `${t.slice(0, max)}…` : t || "(no output)";
}

// Tasks of other threads in the same channel are visible: `tasks` is typed in a new thread.
function sameConversation(ctx: ChatContext, t: TaskRecord, tasks: TaskRepository): boolean {
  const s = tasks.sessionOf(t.id);
  return (
    s !== undefined && s.platform === ctx.session.platform && s.conversation === ctx.session.conversation
  );
}
