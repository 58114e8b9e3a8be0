// Renders a Card as Discord message payloads: Discord markdown from marked's tokens,
// buttons as action rows, long bodies split at 2000 chars without breaking code blocks.

import type { Tokens } from "marked";
import type { Card, Token } from "../../src/core/card.ts";
import { splitMessage } from "../../src/core/split-message.ts";

/** Discord's limit on `content`, in characters. */
export const DISCORD_MESSAGE_LIMIT = 2000;
/** Discord's limit on a component's `custom_id`. */
export const DISCORD_CUSTOM_ID_LIMIT = 100;
const BUTTONS_PER_ROW = 5;
const MAX_ROWS = 5;
const LABEL_LIMIT = 80;

/** Discord's button styles (API values). */
export const DiscordButtonStyle = { primary: 1, secondary: 2, success: 3, danger: 4 } as const;

export interface DiscordButton {
  readonly type: 2;
  readonly style: 1 | 2 | 3 | 4;
  readonly label: string;
  readonly custom_id: string;
}

export interface DiscordActionRow {
  readonly type: 1;
  readonly components: DiscordButton[];
}

/** The JSON body of one message create / edit. */
export interface DiscordMessagePayload {
  content: string;
  components: DiscordActionRow[];
  /** Never ping anyone from rendered text (tool output may contain @everyone). */
  allowed_mentions: { parse: [] };
}

export interface RenderOptions {
  /** Characters per message; Discord's 2000 unless a test wants smaller parts. */
  limit?: number;
}

/** Renders a card as one or more messages; the buttons ride on the last one. */
export function renderDiscordCard(card: Card, opts: RenderOptions = {}): DiscordMessagePayload[] {
  const limit = opts.limit ?? DISCORD_MESSAGE_LIMIT;
  const text = renderCardText(card);
  const parts = splitMessage(text.length > 0 ? text : "\u200b", limit);
  const components = renderButtons(card);
  return parts.map((content, i) => ({
    content,
    components: i === parts.length - 1 ? components : [],
    allowed_mentions: { parse: [] },
  }));
}

/** Renders a card as exactly one message (an edit cannot grow into several): an overlong body is cut with "…", the state line kept. */
export function renderDiscordEdit(card: Card, opts: RenderOptions = {}): DiscordMessagePayload {
  const limit = opts.limit ?? DISCORD_MESSAGE_LIMIT;
  let content = renderCardText(card);
  if (content.length > limit) {
    const stateLine = card.state ? `\n${italic(card.state)}` : "";
    const body = renderCardText({ ...card, state: undefined });
    const room = limit - stateLine.length - 2;
    content = `${splitMessage(body, Math.max(16, room))[0]}\n…${stateLine}`.slice(0, limit);
  }
  return { content: content || "\u200b", components: renderButtons(card), allowed_mentions: { parse: [] } };
}

/** The whole card as Discord markdown: title, body, fields, outcome line. */
export function renderCardText(card: Card): string {
  const blocks: string[] = [];
  if (card.title) blocks.push(`**${escapeDiscordMarkdown(card.title)}**`);
  const body = renderDiscordMarkdown(card.tokens);
  if (body) blocks.push(body);
  if (card.fields.length > 0) {
    blocks.push(
      card.fields
        .map((f) => `**${escapeDiscordMarkdown(f.label)}:** ${escapeDiscordMarkdown(f.value)}`)
        .join("\n"),
    );
  }
  if (card.state) blocks.push(italic(card.state));
  return blocks.join("\n\n");
}

/** Buttons as action rows of at most five; Discord allows five rows, so extra buttons are dropped. */
export function renderButtons(card: Card): DiscordActionRow[] {
  const buttons = card.buttons.slice(0, BUTTONS_PER_ROW * MAX_ROWS).map((b): DiscordButton => {
    if (b.id.length > DISCORD_CUSTOM_ID_LIMIT) {
      throw new Error(
        `button id ${JSON.stringify(b.id)} exceeds Discord's ${DISCORD_CUSTOM_ID_LIMIT}-char custom_id`,
      );
    }
    const style =
      b.style === "primary"
        ? DiscordButtonStyle.primary
        : b.style === "danger"
          ? DiscordButtonStyle.danger
          : DiscordButtonStyle.secondary;
    return { type: 2, style, label: truncate(b.label || b.id, LABEL_LIMIT), custom_id: b.id };
  });
  const rows: DiscordActionRow[] = [];
  for (let i = 0; i < buttons.length; i += BUTTONS_PER_ROW) {
    rows.push({ type: 1, components: buttons.slice(i, i + BUTTONS_PER_ROW) });
  }
  return rows;
}

/** Escapes the characters Discord would read as markdown (or as mentions) in plain text. */
export function escapeDiscordMarkdown(text: string): string {
  return text
    .replace(/([\\*_~`|<])/g, "\\$1")
    .replace(/\]\(/g, "\\](")
    .replace(/^(\s*)([>#+-])/gm, "$1\\$2")
    .replace(/^(\s*)(\d+)\./gm, "$1$2\\.");
}

/** Renders marked's block tokens as Discord markdown. */
export function renderDiscordMarkdown(tokens: readonly Token[]): string {
  return tokens
    .map((t) => renderBlock(t))
    .filter((s) => s.length > 0)
    .join("\n\n");
}

function renderBlock(t: Token): string {
  switch (t.type) {
    case "space":
    case "def":
      return "";
    case "heading": {
      const text = renderInline(t.tokens ?? []);
      // Discord renders #, ## and ### as headers; deeper levels fall back to bold.
      return t.depth <= 3 ? `${"#".repeat(t.depth)} ${text}` : `**${text}**`;
    }
    case "paragraph":
      return renderInline(t.tokens ?? []);
    case "text":
      return t.tokens ? renderInline(t.tokens) : escapeDiscordMarkdown(t.text);
    case "code":
      return codeBlock(t.text, t.lang ?? "");
    case "blockquote":
      return renderDiscordMarkdown(t.tokens ?? [])
        .split("\n")
        .map((l) => `> ${l}`)
        .join("\n");
    case "list":
      return renderList(t as Tokens.List, 0);
    case "table":
      return renderTable(t);
    case "hr":
      return "───────────";
    case "html":
      return escapeDiscordMarkdown(t.text);
    default:
      return "raw" in t && typeof t.raw === "string" ? escapeDiscordMarkdown(t.raw) : "";
  }
}

function renderList(list: Tokens.List, depth: number): string {
  const indent = "  ".repeat(depth);
  const start = typeof list.start === "number" ? list.start : 1;
  return list.items
    .map((item: Tokens.ListItem, i: number) => {
      const marker = list.ordered ? `${start + i}.` : "-";
      const lines: string[] = [];
      const nested: string[] = [];
      for (const child of item.tokens ?? []) {
        if (child.type === "list") nested.push(renderList(child as Tokens.List, depth + 1));
        else if (child.type === "checkbox") continue;
        else lines.push(renderBlock(child));
      }
      const box = item.task ? (item.checked ? "☑ " : "☐ ") : "";
      const head = `${indent}${marker} ${box}${lines.join(" ").replace(/\n/g, `\n${indent}  `)}`;
      return [head, ...nested].join("\n");
    })
    .join("\n");
}

/** Discord has no tables: they go in a code block, columns padded to line up. */
function renderTable(t: Token): string {
  if (t.type !== "table") return "";
  const cell = (c: { tokens: Token[] }) => plainInline(c.tokens);
  const rows: string[][] = [t.header.map(cell), ...t.rows.map((r: { tokens: Token[] }[]) => r.map(cell))];
  const widths = rows[0].map((_, col) => Math.max(...rows.map((r) => (r[col] ?? "").length)));
  const line = (r: string[]) =>
    r
      .map((c, col) => c.padEnd(widths[col]))
      .join(" | ")
      .trimEnd();
  const sep = widths.map((w) => "-".repeat(Math.max(1, w))).join("-+-");
  return codeBlock([line(rows[0]), sep, ...rows.slice(1).map(line)].join("\n"), "");
}

function renderInline(tokens: readonly Token[]): string {
  return tokens.map(renderInlineToken).join("");
}

function renderInlineToken(t: Token): string {
  switch (t.type) {
    case "text":
      return t.tokens ? renderInline(t.tokens) : escapeDiscordMarkdown(t.text);
    case "escape":
      return escapeDiscordMarkdown(t.text);
    case "strong":
      return `**${renderInline(t.tokens ?? [])}**`;
    case "em":
      return `*${renderInline(t.tokens ?? [])}*`;
    case "del":
      return `~~${renderInline(t.tokens ?? [])}~~`;
    case "codespan":
      return codeSpan(t.text);
    case "br":
      return "\n";
    case "link": {
      if (t.autolink || t.text === t.href) return t.href;
      const label = renderInline(t.tokens ?? []).replace(/[[\]]/g, "");
      return `[${label}](${t.href.replace(/\)/g, "%29")})`;
    }
    case "image":
      return `[${escapeDiscordMarkdown(t.text || "image")}](${t.href})`;
    case "html":
      return escapeDiscordMarkdown(t.text);
    default:
      return "raw" in t && typeof t.raw === "string" ? escapeDiscordMarkdown(t.raw) : "";
  }
}

/** Inline tokens as plain text, for code blocks where markdown is shown literally. */
function plainInline(tokens: readonly Token[]): string {
  return tokens
    .map((t) => {
      if ("tokens" in t && Array.isArray(t.tokens) && t.type !== "codespan") return plainInline(t.tokens);
      if (t.type === "link" || t.type === "image") return t.text;
      return "text" in t && typeof t.text === "string" ? t.text : "";
    })
    .join("");
}

function codeSpan(text: string): string {
  if (!text.includes("`")) return `\`${text}\``;
  // Double backticks with padding let a span contain single backticks.
  return `\`\` ${text.replace(/``+/g, (m) => m.split("").join("\u200b"))} \`\``;
}

function codeBlock(text: string, lang: string): string {
  // A ``` inside the code would close the block early; a zero-width space defuses it.
  const safe = text.replace(/```/g, "`\u200b``");
  return `\`\`\`${lang.replace(/[^\w+#.-]/g, "")}\n${safe}\n\`\`\``;
}

function italic(text: string): string {
  return `*${escapeDiscordMarkdown(text)}*`;
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}
