// Built-in commands every Vigil answers: help, whoami, status, ping.

import { createCard } from "./card.ts";
import type { AdapterStatus } from "./chat-adapter.ts";
import type { Command } from "./router.ts";

export interface StatusSource {
  version: string;
  startedAt: Date;
  adapters(): AdapterStatus[];
  sessionCount(): number;
}

export function builtinCommands(status: StatusSource, more: () => readonly Command[] = () => []): Command[] {
  const commands: Command[] = [
    {
      name: "help",
      summary: "list what I can do",
      async run(ctx) {
        const lines = [...commands, ...more()]
          .filter((c) => !c.hidden)
          .map((c) => `- \`${c.usage ?? c.name}\`: ${c.summary}`);
        await ctx.reply(
          createCard({
            title: "Vigil",
            markdown: `Commands:\n\n${lines.join("\n")}\n\nIn Slack, Discord or Telegram, mention me or use \`/vigil <command>\`. Each thread is its own session.`,
          }),
        );
      },
    },
    {
      name: "ping",
      summary: "check that I am listening",
      async run(ctx) {
        await ctx.reply("pong");
      },
    },
    {
      name: "whoami",
      summary: "show who I think you are",
      async run(ctx) {
        const { user, platform } = ctx.event;
        await ctx.reply(
          createCard({
            markdown: `You are **${user.name ?? user.id}** on ${platform}.`,
            fields: [
              { label: "Platform user id", value: user.id },
              { label: "Session", value: ctx.session.id },
            ],
          }),
        );
      },
    },
    {
      name: "status",
      summary: "show Vigil's version, uptime and chat connections",
      async run(ctx) {
        const uptime = Math.round((Date.now() - status.startedAt.getTime()) / 1000);
        const adapters = status
          .adapters()
          .map(
            (a) =>
              `- ${a.platform}: ${a.state} since ${a.since.toISOString()}${a.lastError ? ` (last error: ${a.lastError})` : ""}`,
          );
        await ctx.reply(
          createCard({
            title: "Status",
            markdown: `Vigil ${status.version}, up ${uptime} s.\n\n${adapters.join("\n")}`,
            fields: [{ label: "Sessions", value: String(status.sessionCount()) }],
          }),
        );
      },
    },
  ];
  return commands;
}
