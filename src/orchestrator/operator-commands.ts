// `operators` lists the operators; `operator show <name>` shows one; admins change one with
// `operator set <name> <field> <value>` or return it to its YAML with `operator reset <name>`.

import { createCard } from "../core/card.ts";
import type { ChatContext } from "../core/chat-hub.ts";
import type { Command } from "../core/router.ts";
import { formatModelRef, type Operator } from "../operators/operator.ts";
import type { OperatorPatch } from "../operators/operator-repository.ts";
import type { OperatorSource } from "./orchestrator.ts";
import type { TaskRunner } from "./task-runner.ts";
import type { ToolRegistry } from "./tool-registry.ts";

export interface OperatorCommandsOptions {
  operators: OperatorSource;
  registry: ToolRegistry;
  runner: TaskRunner;
  isAdmin: (ctx: ChatContext) => boolean;
}

/** Chat field names → a patch. */
const FIELDS: Record<string, (value: string) => OperatorPatch> = {
  description: (v) => ({ description: v }),
  prompt: (v) => ({ systemPrompt: v }),
  model: (v) => ({ model: v === "none" ? null : v }),
  tools: (v) => ({ tools: v.split(/[\s,]+/).filter(Boolean) }),
  ceiling: (v) => ({ ceiling: v as OperatorPatch["ceiling"] }),
  trust: (v) => ({ trust: v as OperatorPatch["trust"] }),
  workdir: (v) => ({ workingDirectory: v }),
};

export function operatorCommands({
  operators,
  registry,
  runner,
  isAdmin,
}: OperatorCommandsOptions): Command[] {
  const show = (op: Operator) =>
    createCard({
      title: `Operator ${op.name}`,
      markdown: `${op.description}\n\nSystem prompt:\n\n> ${op.systemPrompt.replace(/\n/g, "\n> ")}`,
      fields: [
        {
          label: "Model",
          value: `${formatModelRef(op.model)}${runner.modelOf(op) ? "" : " (not configured)"}`,
        },
        { label: "Ceiling", value: op.ceiling },
        { label: "Trust", value: op.trust },
        { label: "Tools", value: op.tools.join(", ") || "none" },
        {
          label: "Available now",
          value:
            registry
              .forOperator(op)
              .map((t) => t.name)
              .join(", ") || "none",
        },
        { label: "Working directory", value: op.workingDirectory },
        ...(operators.isEdited?.(op.name)
          ? [{ label: "Edited", value: "yes (operator reset to undo)" }]
          : []),
      ],
    });

  return [
    {
      name: "operators",
      summary: "list the operators and what each is for",
      async run(ctx) {
        const list = operators.list();
        await ctx.reply(
          createCard({
            title: "Operators",
            markdown:
              list.length === 0
                ? "No operators are defined."
                : `${list
                    .map(
                      (o) => `- **@${o.name}** (${o.ceiling}, ${formatModelRef(o.model)}): ${o.description}`,
                    )
                    .join("\n")}\n\nAddress one with \`@name …\`; \`operator show <name>\` for details.`,
          }),
        );
      },
    },
    {
      name: "operator",
      summary: "show an operator; admins: set a field or reset it",
      usage: "operator show <name> | operator set <name> <field> <value> | operator reset <name>",
      async run(ctx, args) {
        const m = /^(show|set|reset)\s+([a-z0-9_-]+)\s*(?:(\S+)\s*([\s\S]*))?$/i.exec(args);
        if (!m) {
          await ctx.reply(
            `Usage: \`operator show <name>\`, \`operator set <name> <field> <value>\` (fields: ${Object.keys(FIELDS).join(", ")}), \`operator reset <name>\`.`,
          );
          return;
        }
        const [, verb, name, field, value] = m;
        if (verb.toLowerCase() === "show") {
          const op = operators.get(name);
          await ctx.reply(op ? show(op) : `There is no operator \`${name}\`.`);
          return;
        }
        if (!isAdmin(ctx)) {
          await ctx.reply("Only Vigil admins may change operators.");
          return;
        }
        const by = `${ctx.event.platform}:${ctx.event.user.id}`;
        if (verb.toLowerCase() === "reset") {
          const changed = operators.reset?.(name, by) ?? false;
          await ctx.reply(
            changed
              ? `Operator \`${name}\` is back to its configuration file.`
              : `Operator \`${name}\` had no edits.`,
          );
          return;
        }
        const toPatch = field ? FIELDS[field.toLowerCase()] : undefined;
        if (!toPatch || !value) {
          await ctx.reply(
            `Usage: \`operator set ${name} <field> <value>\`; fields: ${Object.keys(FIELDS).join(", ")}.`,
          );
          return;
        }
        if (!operators.set) {
          await ctx.reply("Operators cannot be edited in this Vigil.");
          return;
        }
        try {
          const op = operators.set(name, toPatch(value.trim()), by);
          await ctx.reply(show(op));
        } catch (err) {
          await ctx.reply(`Not changed: ${(err as Error).message}`);
        }
      },
    },
  ];
}
