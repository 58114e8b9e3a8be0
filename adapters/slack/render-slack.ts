// Renders a Card as Slack Block Kit: marked's tokens become mrkdwn, fields a fields
// section, buttons an actions block; long bodies split into several messages within Slack's limits.

import type { Tokens } from "marked";
import type { Card, Token } from "../../src/core/card.ts";
import { splitMessage } from "../../src/core/split-message.ts";

/** Slack's documented Block Kit limits that this renderer respects. */
export const SLACK_LIMITS = {
  sectionText: 3000,
  blocksPerMessage: 50,
  headerText: 150,
  fieldsPerSection: 10,
  fieldText: 2000,
  buttonText: 75,
  buttonsPerActions: 25,
  contextText: 3000,
} as const;

/** A Block Kit block, typed loosely: we build them, Slack validates them. */
export type SlackBlock = Record<string, unknown> & { type: string };

/** One chat.postMessage worth of content. */
export interface SlackMessagePart {
  /** Plain mrkdwn fallback used for notifications and clients without blocks. */
  readonly text: string;
  readonly blocks: SlackBlock[];
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Renders marked tokens as Slack mrkdwn. */
export function tokensToMrkdwn(tokens: readonly Token[]): string {
  return renderBlocks(tokens, 0).trim();
}

/** Renders a card into one or more messages; the title goes on the first, fields, state and buttons on the last. */
export function renderSlack(card: Card): SlackMessagePart[] {
  const body = tokensToMrkdwn(card.tokens);
  const title = card.title ? truncate(card.title.replace(/\s+/g, " ").trim(), SLACK_LIMITS.headerText) : "";
  const fieldTexts = card.fields.map((f) =>
    truncate(`*${escapeMrkdwn(f.label)}*\n${escapeMrkdwn(f.value)}`, SLACK_LIMITS.fieldText),
  );
  const state = card.state ? truncate(escapeMrkdwn(card.state), SLACK_LIMITS.contextText) : "";
  const tail = fieldTexts.join("\n").length + state.length + (card.buttons.length > 0 ? 100 : 0);

  // Each message stays within one section's worth of text so a reader never meets a wall.
  const budget = SLACK_LIMITS.sectionText;
  const overhead = title.length + tail + 2;
  const bodies =
    body.length + overhead <= budget
      ? [body]
      : splitMessage(body, Math.max(500, budget - Math.max(title.length, tail) - 2));

  return bodies.map((chunk, i) => {
    const first = i === 0;
    const last = i === bodies.length - 1;
    const blocks: SlackBlock[] = [];
    const text: string[] = [];
    if (first && title) {
      blocks.push({ type: "header", text: { type: "plain_text", text: title, emoji: true } });
      text.push(`*${escapeMrkdwn(title)}*`);
    }
    for (const section of chunk.length > 0 ? splitMessage(chunk, SLACK_LIMITS.sectionText) : []) {
      blocks.push({ type: "section", text: { type: "mrkdwn", text: section } });
      text.push(section);
    }
    if (last) {
      for (let f = 0; f < fieldTexts.length; f += SLACK_LIMITS.fieldsPerSection) {
        const group = fieldTexts.slice(f, f + SLACK_LIMITS.fieldsPerSection);
        blocks.push({ type: "section", fields: group.map((t) => ({ type: "mrkdwn", text: t })) });
        text.push(group.join("\n"));
      }
      for (let b = 0; b < card.buttons.length; b += SLACK_LIMITS.buttonsPerActions) {
        const group = card.buttons.slice(b, b + SLACK_LIMITS.buttonsPerActions);
        blocks.push({
          type: "actions",
          block_id: `vigil_actions_${b / SLACK_LIMITS.buttonsPerActions}`,
          elements: group.map((button) => ({
            type: "button",
            action_id: button.id,
            value: button.id,
            text: { type: "plain_text", text: truncate(button.label, SLACK_LIMITS.buttonText), emoji: true },
            ...(button.style === "primary" || button.style === "danger" ? { style: button.style } : {}),
          })),
        });
      }
      if (state) {
        blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: state }] });
        text.push(state);
      }
    }
    if (blocks.length === 0) {
      // Slack refuses a message with neither text nor blocks; an empty card still says something.
      blocks.push({ type: "section", text: { type: "mrkdwn", text: " " } });
    }
    return { text: text.join("\n") || " ", blocks: blocks.slice(0, SLACK_LIMITS.blocksPerMessage) };
  });
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

// ---- block-level tokens -------------------------------------------------------------

function renderBlocks(tokens: readonly Token[], depth: number): string {
  const out: string[] = [];
  for (const token of tokens) {
    const rendered = renderBlock(token, depth);
    if (rendered !== undefined) out.push(rendered);
  }
  return out.join("\n\n");
}

function renderBlock(token: Token, depth: number): string | undefined {
  switch (token.type) {
    case "space":
    case "def":
      return undefined;
    case "paragraph":
      return renderInline(token.tokens ?? [], false);
    case "text":
      return token.tokens ? renderInline(token.tokens, false) : escapeMrkdwn(token.text);
    case "heading":
      // Slack has no headings; bold is the closest, and nested bold would break the markers.
      return `*${renderInline(token.tokens ?? [], true)}*`;
    case "code":
      return fence(token.text);
    case "blockquote":
      return renderBlocks(token.tokens ?? [], depth)
        .split("\n")
        .map((line) => `> ${line}`)
        .join("\n");
    case "list":
      return renderList(token as Tokens.List, depth);
    case "table":
      return renderTable(token as Tokens.Table);
    case "hr":
      return "──────────";
    case "html":
      return escapeMrkdwn(token.text.trim());
    default:
      return "raw" in token && typeof token.raw === "string" ? escapeMrkdwn(token.raw) : undefined;
  }
}

/** A fenced block on its own lines, so splitMessage can see and keep the fence. */
function fence(code: string): string {
  return `\`\`\`\n${escapeMrkdwn(code.replace(/```/g, "`\u200b``"))}\n\`\`\``;
}

function renderList(token: Tokens.List, depth: number): string {
  const indent = "    ".repeat(depth);
  const start = token.ordered ? Number(token.start || 1) : 0;
  const bullet = depth % 2 === 0 ? "•" : "◦";
  return token.items
    .map((item, i) => {
      const marker = token.ordered ? `${start + i}.` : bullet;
      const check = item.task ? (item.checked ? "☑ " : "☐ ") : "";
      const inner: string[] = [];
      for (const child of item.tokens ?? []) {
        if (child.type === "list") inner.push(renderList(child as Tokens.List, depth + 1));
        else if (child.type === "checkbox") continue;
        else {
          const r = renderBlock(child, depth + 1);
          if (r !== undefined) inner.push(inner.length === 0 ? r : indentLines(r, `${indent}    `));
        }
      }
      return `${indent}${marker} ${check}${inner.join("\n")}`;
    })
    .join("\n");
}

function indentLines(text: string, indent: string): string {
  return text
    .split("\n")
    .map((l) => (l.startsWith(" ") ? l : indent + l))
    .join("\n");
}

/** Slack has no tables: a monospaced grid in a code block keeps the columns readable. */
function renderTable(token: Tokens.Table): string {
  const cellText = (cell: Tokens.TableCell) => plainInline(cell.tokens) || cell.text;
  const header = token.header.map(cellText);
  const rows = token.rows.map((row) => row.map(cellText));
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => cell.padEnd(widths[c]))
      .join(" | ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("-+-");
  return fence([line(header), rule, ...rows.map(line)].join("\n"));
}

// ---- inline tokens -------------------------------------------------------------------

function renderInline(tokens: readonly Token[], inBold: boolean): string {
  return tokens.map((t) => renderInlineToken(t, inBold)).join("");
}

function renderInlineToken(token: Token, inBold: boolean): string {
  switch (token.type) {
    case "text":
      return token.tokens ? renderInline(token.tokens, inBold) : escapeMrkdwn(token.text);
    case "escape":
      return escapeMrkdwn(token.text);
    case "strong": {
      const inner = renderInline(token.tokens ?? [], true);
      return inBold ? inner : `*${inner}*`;
    }
    case "em":
      return `_${renderInline(token.tokens ?? [], inBold)}_`;
    case "del":
      return `~${renderInline(token.tokens ?? [], inBold)}~`;
    case "codespan":
      return `\`${escapeMrkdwn(token.text.replace(/`/g, "'"))}\``;
    case "br":
      return "\n";
    case "link":
    case "image": {
      const label =
        token.type === "image"
          ? escapeMrkdwn(token.text || token.href)
          : renderInline(token.tokens ?? [], inBold);
      return linkTo(token.href, label);
    }
    case "html":
      return escapeMrkdwn(token.text);
    default:
      return "text" in token && typeof token.text === "string" ? escapeMrkdwn(token.text) : "";
  }
}

function linkTo(href: string, label: string): string {
  // Only web and mail links become Slack links; anything else stays as plain text.
  if (!/^(https?:|mailto:)/i.test(href)) return label;
  const url = href.replace(/&/g, "&amp;").replace(/</g, "%3C").replace(/>/g, "%3E").replace(/\|/g, "%7C");
  return label && label !== escapeMrkdwn(href) ? `<${url}|${label.replace(/\|/g, "¦")}>` : `<${url}>`;
}

/** Inline tokens as unformatted text (table cells live inside a code block). */
function plainInline(tokens: readonly Token[]): string {
  return tokens
    .map((t): string => {
      if (t.type === "link") return `${plainInline(t.tokens ?? [])} (${t.href})`;
      if ("tokens" in t && Array.isArray(t.tokens)) return plainInline(t.tokens);
      if (t.type === "br") return " ";
      return "text" in t && typeof t.text === "string" ? t.text : "";
    })
    .join("");
}
