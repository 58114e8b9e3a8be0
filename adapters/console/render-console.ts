// Renders a Card as terminal text: markdown flattened to plain text, fields as aligned
// lines, buttons as numbered choices the user can type.

import type { Tokens } from "marked";
import type { Card, Token } from "../../src/core/card.ts";

export function renderConsole(card: Card, firstChoice = 1): string {
  const out: string[] = [];
  if (card.title) out.push(`== ${card.title} ==`);
  const body = renderBlocks(card.tokens).trimEnd();
  if (body) out.push(body);
  if (card.fields.length > 0) {
    const width = Math.max(...card.fields.map((f) => f.label.length));
    out.push(card.fields.map((f) => `  ${f.label.padEnd(width)}  ${f.value}`).join("\n"));
  }
  if (card.state) out.push(`(${card.state})`);
  if (card.buttons.length > 0) {
    out.push(card.buttons.map((b, i) => `[${firstChoice + i}] ${b.label}`).join("  "));
  }
  return out.join("\n");
}

function renderBlocks(tokens: readonly Token[]): string {
  return tokens
    .map(renderBlock)
    .filter((s) => s !== "")
    .join("\n");
}

function renderBlock(token: Token): string {
  switch (token.type) {
    case "paragraph":
    case "text":
      return `${renderInline(inlineOf(token))}\n`;
    case "heading":
      return `${renderInline(inlineOf(token)).toUpperCase()}\n`;
    case "code":
      return `${(token as Tokens.Code).text
        .split("\n")
        .map((l) => `    ${l}`)
        .join("\n")}\n`;
    case "list": {
      const list = token as Tokens.List;
      const start = typeof list.start === "number" ? list.start : 1;
      return `${list.items
        .map(
          (item, i) =>
            `${list.ordered ? `${start + i}.` : "•"} ${renderBlocks(item.tokens).trim().replace(/\n/g, "\n  ")}`,
        )
        .join("\n")}\n`;
    }
    case "blockquote":
      return `${renderBlocks((token as Tokens.Blockquote).tokens)
        .trimEnd()
        .split("\n")
        .map((l) => `> ${l}`)
        .join("\n")}\n`;
    case "table":
      return `${renderTable(token as Tokens.Table)}\n`;
    case "hr":
      return "----\n";
    case "space":
      return "";
    default:
      return "raw" in token ? String(token.raw) : "";
  }
}

function inlineOf(token: Token): Token[] {
  return "tokens" in token && Array.isArray(token.tokens) ? (token.tokens as Token[]) : [];
}

function renderInline(tokens: readonly Token[]): string {
  return tokens
    .map((t) => {
      switch (t.type) {
        case "strong":
        case "em":
        case "del":
          return renderInline(inlineOf(t));
        case "codespan":
          return `\`${(t as Tokens.Codespan).text}\``;
        case "link": {
          const link = t as Tokens.Link;
          const text = renderInline(inlineOf(t));
          return text === link.href ? link.href : `${text} (${link.href})`;
        }
        case "br":
          return "\n";
        case "text":
          return "tokens" in t && t.tokens
            ? renderInline(t.tokens as Token[])
            : decode((t as Tokens.Text).text);
        case "escape":
          return (t as Tokens.Escape).text;
        default:
          return "text" in t ? decode(String(t.text)) : "";
      }
    })
    .join("");
}

function renderTable(table: Tokens.Table): string {
  const rows = [
    table.header.map((c) => renderInline(c.tokens)),
    ...table.rows.map((r) => r.map((c) => renderInline(c.tokens))),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return [line(rows[0]), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(line)].join("\n");
}

function decode(text: string): string {
  return text.replace(
    /&(amp|lt|gt|quot|#39);/g,
    (_, e: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" })[e] ?? _,
  );
}
