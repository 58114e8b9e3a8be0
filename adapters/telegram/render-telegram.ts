// Renders a Card as Telegram HTML plus an inline keyboard. Walks marked's tokens (never
// the raw markdown), escapes every piece of text, and splits at Telegram's 4096 limit.

import type { Card, Token } from "../../src/core/card.ts";
import { packTelegramBlocks } from "./split-telegram-html.ts";

/** Telegram's longest message text. */
export const TELEGRAM_MAX_MESSAGE_LENGTH = 4096;
/** Telegram's limit on a button's callback_data, in bytes. */
export const TELEGRAM_MAX_CALLBACK_DATA_BYTES = 64;
const BUTTONS_PER_ROW = 3;

export interface InlineKeyboardButton {
  text: string;
  callback_data: string;
}

export interface InlineKeyboardMarkup {
  inline_keyboard: InlineKeyboardButton[][];
}

/** One Telegram message's worth of a card. */
export interface TelegramMessagePart {
  html: string;
  /** Only on the last part: the card's buttons. */
  reply_markup?: InlineKeyboardMarkup;
}

/** Escapes text for Telegram HTML: `&`, `<` and `>` everywhere, `"` too so it is safe in attributes. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

const TONE_MARK: Record<string, string> = { success: "✅ ", warning: "⚠️ ", danger: "🔴 " };

/** Renders `card` into one or more message parts, each at most `limit` characters of HTML; buttons ride on the last. */
export function renderTelegramCard(card: Card, limit = TELEGRAM_MAX_MESSAGE_LENGTH): TelegramMessagePart[] {
  const blocks: string[] = [];
  if (card.title) blocks.push(`<b>${escapeHtml((TONE_MARK[card.tone ?? ""] ?? "") + card.title)}</b>`);
  blocks.push(...renderBlocks(card.tokens, 0));
  if (card.fields.length > 0) {
    blocks.push(card.fields.map((f) => `<b>${escapeHtml(f.label)}:</b> ${escapeHtml(f.value)}`).join("\n"));
  }
  if (card.state) blocks.push(`<i>${escapeHtml(card.state)}</i>`);
  const parts = packTelegramBlocks(blocks, limit);
  // Telegram refuses an empty text; a card of buttons alone still needs a line to hang them on.
  if (parts.length === 0) parts.push("⋯");
  const keyboard = renderKeyboard(card);
  return parts.map((html, i) =>
    i === parts.length - 1 && keyboard ? { html, reply_markup: keyboard } : { html },
  );
}

/** The card's buttons as an inline keyboard; the callback_data is the opaque button id, checked against 64 bytes. */
export function renderKeyboard(card: Card): InlineKeyboardMarkup | undefined {
  if (card.buttons.length === 0) return undefined;
  const rows: InlineKeyboardButton[][] = [];
  for (const [i, b] of card.buttons.entries()) {
    if (Buffer.byteLength(b.id, "utf8") > TELEGRAM_MAX_CALLBACK_DATA_BYTES) {
      throw new Error(`button id ${JSON.stringify(b.id)} is longer than Telegram's 64-byte callback_data`);
    }
    if (i % BUTTONS_PER_ROW === 0) rows.push([]);
    rows[rows.length - 1].push({ text: b.label, callback_data: b.id });
  }
  return { inline_keyboard: rows };
}

function renderBlocks(tokens: readonly Token[], depth: number, inQuote = false): string[] {
  const out: string[] = [];
  for (const t of tokens) {
    const html = renderBlock(t, depth, inQuote);
    if (html !== "") out.push(html);
  }
  return out;
}

function renderBlock(t: Token, depth: number, inQuote: boolean): string {
  switch (t.type) {
    case "space":
    case "def":
      return "";
    case "heading":
      return `<b>${renderInline(t.tokens ?? [])}</b>`;
    case "paragraph":
      return renderInline(t.tokens ?? []);
    case "text":
      return t.tokens ? renderInline(t.tokens) : escapeHtml(t.text);
    case "code": {
      const lang = typeof t.lang === "string" ? (/^[\w+#.-]+/.exec(t.lang)?.[0] ?? "") : "";
      const open = lang ? `<pre><code class="language-${escapeHtml(lang)}">` : "<pre><code>";
      return `${open}${escapeHtml(t.text)}</code></pre>`;
    }
    case "blockquote": {
      const inner = renderBlocks(t.tokens ?? [], depth, true).join("\n");
      // Telegram allows no blockquote inside a blockquote; the inner one is rendered flat.
      return inQuote ? inner : `<blockquote>${inner}</blockquote>`;
    }
    case "list":
      return renderList(t, depth, inQuote);
    case "table":
      return renderTable(t);
    case "hr":
      return "──────────";
    case "html":
      // Raw HTML in markdown is shown as text, never passed through.
      return escapeHtml(t.text.trim());
    default:
      return "raw" in t ? escapeHtml(String(t.raw)) : "";
  }
}

function renderList(t: Token, depth: number, inQuote: boolean): string {
  if (t.type !== "list") return "";
  const indent = "  ".repeat(depth);
  const start = typeof t.start === "number" ? t.start : 1;
  const lines: string[] = [];
  for (const [i, item] of (t.items as Token[]).entries()) {
    if (item.type !== "list_item") continue;
    const bullet = t.ordered ? `${start + i}.` : "•";
    const check = item.task ? (item.checked ? "☑ " : "☐ ") : "";
    const children = (item.tokens ?? []).filter((c) => c.type !== "checkbox");
    const own = children.filter((c) => c.type !== "list");
    const nested = children.filter((c) => c.type === "list");
    const body = renderBlocks(own, depth + 1, inQuote).join("\n");
    lines.push(`${indent}${bullet} ${check}${body}`);
    for (const n of nested) lines.push(renderList(n, depth + 1, inQuote));
  }
  return lines.join("\n");
}

function renderTable(t: Token): string {
  if (t.type !== "table") return "";
  const header = (t.header as { tokens: Token[] }[]).map((c) => plainText(c.tokens));
  const rows = (t.rows as { tokens: Token[] }[][]).map((r) => r.map((c) => plainText(c.tokens)));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join(" | ")
      .trimEnd();
  const sep = widths.map((w) => "-".repeat(w)).join("-+-");
  return `<pre>${escapeHtml([line(header), sep, ...rows.map(line)].join("\n"))}</pre>`;
}

function renderInline(tokens: readonly Token[]): string {
  let out = "";
  for (const t of tokens) out += renderInlineToken(t);
  return out;
}

function renderInlineToken(t: Token): string {
  switch (t.type) {
    case "text":
      return t.tokens ? renderInline(t.tokens) : escapeHtml(t.text);
    case "escape":
      return escapeHtml(t.text);
    case "strong":
      return `<b>${renderInline(t.tokens ?? [])}</b>`;
    case "em":
      return `<i>${renderInline(t.tokens ?? [])}</i>`;
    case "del":
      return `<s>${renderInline(t.tokens ?? [])}</s>`;
    case "codespan":
      return `<code>${escapeHtml(t.text)}</code>`;
    case "br":
      return "\n";
    case "link": {
      const inner = renderInline(t.tokens ?? []);
      return isSafeUrl(t.href) ? `<a href="${escapeHtml(t.href)}">${inner}</a>` : inner;
    }
    case "image":
      return isSafeUrl(t.href)
        ? `<a href="${escapeHtml(t.href)}">${escapeHtml(t.text || t.href)}</a>`
        : escapeHtml(t.text);
    case "checkbox":
      return "";
    case "html":
      return escapeHtml(t.text);
    default:
      return "raw" in t ? escapeHtml(String(t.raw)) : "";
  }
}

/** Text of inline tokens without any markup, for table cells laid out in <pre>. */
function plainText(tokens: readonly Token[]): string {
  let out = "";
  for (const t of tokens) {
    if ("tokens" in t && Array.isArray(t.tokens) && t.type !== "codespan") out += plainText(t.tokens);
    else if (t.type === "br") out += " ";
    else if ("text" in t && typeof t.text === "string") out += t.text;
  }
  return out;
}

function isSafeUrl(href: string): boolean {
  return /^(https?:|mailto:|tg:)/i.test(href);
}
