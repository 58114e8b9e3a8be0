// The command router: the first word of a message names a command. Unknown words get a
// helpful reply, unless a later middleware (the orchestrator) takes free text.

import type { ChatContext } from "./chat-hub.ts";
import type { Middleware } from "./compose.ts";

export interface Command {
  readonly name: string;
  /** One line for `help`. */
  readonly summary: string;
  /** e.g. `run <tool> key=value …` */
  readonly usage?: string;
  /** Admin-only and similar commands hide from `help` for others. */
  readonly hidden?: boolean;
  run(ctx: ChatContext, args: string): Promise<void>;
}

export interface CommandRouterOptions {
  commands: readonly Command[];
  /** When true, text that is not a command goes on to the next middleware. */
  passFreeText?: boolean;
}

export function commandRouter({
  commands,
  passFreeText = false,
}: CommandRouterOptions): Middleware<ChatContext> {
  const byName = new Map(commands.map((c) => [c.name, c]));
  return async (ctx, next) => {
    if (ctx.event.kind !== "message") return next();
    const text = ctx.text;
    const match = /^(\S+)\s*([\s\S]*)$/.exec(text);
    const word = match?.[1].toLowerCase() ?? "";
    const command = byName.get(word);
    if (command) {
      await command.run(ctx, match?.[2].trim() ?? "");
      return;
    }
    const hint = suggest(word, [...byName.keys()]);
    // A lone mistyped command word is a typo, not a request for an operator.
    const typo = hint !== undefined && !/\s/.test(text);
    if (passFreeText && text !== "" && !typo) return next();
    await ctx.reply(
      text === ""
        ? "Hi! Type `help` to see what I can do."
        : `I don't know the command \`${word}\`.${hint ? ` Did you mean \`${hint}\`?` : ""} Type \`help\` for the list.`,
    );
  };
}

/** The closest command name within edit distance 2, if any. */
function suggest(word: string, names: string[]): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const name of names) {
    const d = editDistance(word, name);
    if (d <= 2 && (!best || d < best.d)) best = { name, d };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
