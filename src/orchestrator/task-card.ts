// The card each task keeps up to date in its thread: what runs, for whom, its latest step,
// a Stop button while it runs, and its outcome after.

import { type Button, type Card, createCard } from "../core/card.ts";
import type { TaskRecord, TaskStatus } from "./task-repository.ts";

const CHAT_OUTPUT_CHARS = 3000;

export interface TaskCardView {
  readonly task: Pick<TaskRecord, "id" | "operator" | "kind" | "request" | "tool">;
  readonly status: TaskStatus;
  /** Latest activity while running, or the output of a direct tool run. */
  readonly detail?: string;
  /** Outcome line once it ended, e.g. "Stopped by ana". */
  readonly state?: string;
  readonly buttons?: readonly Button[];
}

const TONES = {
  running: "info",
  finished: "success",
  stopped: "warning",
  failed: "danger",
  interrupted: "warning",
} as const;

export function taskCard(v: TaskCardView): Card {
  const what = v.task.kind === "tool" ? `\`${v.task.tool}\`` : "request";
  const lines = [
    `**${v.task.operator}** ${v.status === "running" ? "is working on" : "handled"} ${what}: ${quote(v.task.request)}`,
  ];
  if (v.detail) lines.push("", fence(v.detail));
  return createCard({
    title: `Task ${v.task.id}`,
    markdown: lines.join("\n"),
    fields: [
      { label: "Operator", value: v.task.operator },
      { label: "Status", value: v.status },
    ],
    buttons: v.buttons ?? [],
    ...(v.state ? { state: v.state } : {}),
    tone: TONES[v.status],
  });
}

/** A short one-line quote of the request. */
export function quote(text: string, max = 200): string {
  const one = text.replace(/\s+/g, " ").trim();
  return `“${one.length > max ? `${one.slice(0, max)}…` : one}”`;
}

/** Output in a code fence that its content cannot close, cut for chat. */
export function fence(text: string): string {
  const cut =
    text.length > CHAT_OUTPUT_CHARS
      ? `${text.slice(0, CHAT_OUTPUT_CHARS)}\n… (cut; see \`task <id>\`)`
      : text;
  const longest = Math.max(2, ...(cut.match(/`+/g) ?? []).map((m) => m.length));
  const ticks = "`".repeat(longest + 1);
  return `${ticks}\n${cut}\n${ticks}`;
}
