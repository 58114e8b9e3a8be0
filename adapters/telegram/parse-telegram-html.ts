// Parses Telegram's HTML parse_mode the way the Bot API does (tdlib's parse_html): the
// fake uses it to refuse what Telegram would refuse, and tests use it to check rendering.

/** A message entity as the Bot API returns it (offsets and lengths in UTF-16 code units). */
export interface TelegramEntity {
  type: string;
  offset: number;
  length: number;
  url?: string;
  language?: string;
}

export interface ParsedTelegramHtml {
  /** The visible text, entities decoded. */
  text: string;
  entities: TelegramEntity[];
}

/** Thrown for input Telegram would answer with 400 "can't parse entities". */
export class TelegramHtmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TelegramHtmlError";
  }
}

const TAG_TYPES: Record<string, string> = {
  b: "bold",
  strong: "bold",
  i: "italic",
  em: "italic",
  u: "underline",
  ins: "underline",
  s: "strikethrough",
  strike: "strikethrough",
  del: "strikethrough",
  "tg-spoiler": "spoiler",
  span: "spoiler",
  a: "text_link",
  code: "code",
  pre: "pre",
  blockquote: "blockquote",
  "tg-emoji": "custom_emoji",
};

const NAMED_ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };

interface OpenTag {
  name: string;
  offset: number;
  attrs: Record<string, string>;
}

/**
 * Parses `html` into text and entities, or throws TelegramHtmlError with Telegram's wording.
 * Stricter than Telegram in one way: entities nested inside code/pre, and nested blockquotes,
 * are refused instead of silently dropped, because a renderer that emits them is wrong.
 */
export function parseTelegramHtml(html: string): ParsedTelegramHtml {
  const bytes = (i: number) => Buffer.byteLength(html.slice(0, i));
  let text = "";
  const entities: TelegramEntity[] = [];
  const stack: OpenTag[] = [];
  let i = 0;
  while (i < html.length) {
    const c = html[i];
    if (c === "&") {
      const m = /^&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]{2,10});/.exec(html.slice(i, i + 12));
      const decoded = m ? decodeEntity(m[1]) : undefined;
      if (m && decoded !== undefined) {
        text += decoded;
        i += m[0].length;
      } else {
        // Telegram keeps an ampersand that starts no known entity as a literal character.
        text += "&";
        i++;
      }
      continue;
    }
    if (c !== "<") {
      text += c;
      i++;
      continue;
    }
    const close = html.indexOf(">", i);
    if (close === -1) throw new TelegramHtmlError(`Unclosed start tag at byte offset ${bytes(i)}`);
    const inner = html.slice(i + 1, close);
    if (inner.startsWith("/")) {
      const name = inner.slice(1).trim().toLowerCase();
      const top = stack.pop();
      if (!top) throw new TelegramHtmlError(`Unexpected end tag at byte offset ${bytes(i)}`);
      if (name !== "" && top.name !== name) {
        throw new TelegramHtmlError(
          `Unmatched end tag at byte offset ${bytes(i)}, expected "</${top.name}>", found "</${name}>"`,
        );
      }
      closeEntity(top, text, entities, stack);
      i = close + 1;
      continue;
    }
    const nameMatch = /^([a-zA-Z][a-zA-Z0-9-]*)/.exec(inner);
    const name = nameMatch?.[1].toLowerCase() ?? "";
    if (!(name in TAG_TYPES)) {
      throw new TelegramHtmlError(`Unsupported start tag "${name}" at byte offset ${bytes(i)}`);
    }
    const attrs = parseAttributes(inner.slice(name.length), () => bytes(i));
    if (name === "span" && attrs.class !== "tg-spoiler") {
      throw new TelegramHtmlError(`Tag "span" must have class "tg-spoiler" at byte offset ${bytes(i)}`);
    }
    const parent = stack.at(-1);
    if (parent && (parent.name === "code" || (parent.name === "pre" && name !== "code"))) {
      throw new TelegramHtmlError(
        `Entity "${name}" can't be nested in "${parent.name}" at byte offset ${bytes(i)}`,
      );
    }
    if (name === "blockquote" && stack.some((t) => t.name === "blockquote")) {
      throw new TelegramHtmlError(`Blockquote can't be nested at byte offset ${bytes(i)}`);
    }
    stack.push({ name, offset: utf16Length(text), attrs });
    i = close + 1;
  }
  const open = stack.at(-1);
  if (open) throw new TelegramHtmlError(`Can't find end tag corresponding to start tag "${open.name}"`);
  entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
  return { text, entities };
}

function closeEntity(tag: OpenTag, text: string, entities: TelegramEntity[], stack: OpenTag[]): void {
  const length = utf16Length(text) - tag.offset;
  if (length === 0) return;
  const parent = stack.at(-1);
  if (tag.name === "code" && parent?.name === "pre") {
    // <pre><code class="language-x"> is one pre entity with a language.
    const lang = /^language-(.+)$/.exec(tag.attrs.class ?? "")?.[1];
    if (lang) parent.attrs.language = lang;
    return;
  }
  const entity: TelegramEntity = { type: TAG_TYPES[tag.name], offset: tag.offset, length };
  if (tag.name === "a") {
    if (tag.attrs.href === undefined) return;
    entity.url = tag.attrs.href;
  }
  if (tag.name === "pre" && tag.attrs.language) entity.language = tag.attrs.language;
  if (tag.name === "blockquote" && "expandable" in tag.attrs) entity.type = "expandable_blockquote";
  entities.push(entity);
}

function parseAttributes(src: string, where: () => number): Record<string, string> {
  const attrs: Record<string, string> = {};
  const re = /\s*([a-zA-Z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/y;
  let rest = src.trimEnd();
  while (rest.trim() !== "") {
    re.lastIndex = 0;
    const m = re.exec(rest);
    if (!m)
      throw new TelegramHtmlError(
        `Expected equal sign in declaration of an attribute at byte offset ${where()}`,
      );
    const raw = m[2] ?? m[3] ?? m[4] ?? "";
    attrs[m[1].toLowerCase()] = decodeAttribute(raw);
    rest = rest.slice(m[0].length);
  }
  return attrs;
}

function decodeAttribute(raw: string): string {
  return raw.replace(
    /&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]{2,10});/g,
    (all, e: string) => decodeEntity(e) ?? all,
  );
}

function decodeEntity(body: string): string | undefined {
  if (body.startsWith("#x") || body.startsWith("#X")) return codePoint(Number.parseInt(body.slice(2), 16));
  if (body.startsWith("#")) return codePoint(Number.parseInt(body.slice(1), 10));
  return NAMED_ENTITIES[body.toLowerCase()];
}

function codePoint(n: number): string | undefined {
  return Number.isFinite(n) && n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : undefined;
}

/** Telegram counts lengths in UTF-16 code units, which is what JS string length is. */
export function utf16Length(s: string): number {
  return s.length;
}
