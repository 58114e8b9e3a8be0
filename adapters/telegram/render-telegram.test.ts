// Card → Telegram HTML: each markdown element, escaping, and splitting that Telegram accepts.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Card, createCard } from "../../src/core/card.ts";
import { parseTelegramHtml } from "./parse-telegram-html.ts";
import { renderTelegramCard, TELEGRAM_MAX_MESSAGE_LENGTH } from "./render-telegram.ts";
import { splitTelegramHtml } from "./split-telegram-html.ts";

const html = (markdown: string) => renderTelegramCard(createCard({ markdown }))[0].html;

describe("render-telegram: elements", () => {
  it("renders inline formatting natively", () => {
    assert.equal(
      html("**bold** *em* ~~gone~~ `x<y`"),
      "<b>bold</b> <i>em</i> <s>gone</s> <code>x&lt;y</code>",
    );
  });

  it("renders links with escaped hrefs and drops unsafe ones", () => {
    assert.equal(html("[docs](https://x.io/?a=1&b=2)"), '<a href="https://x.io/?a=1&amp;b=2">docs</a>');
    assert.equal(html("[click](javascript:alert(1))"), "click");
  });

  it("renders code blocks as pre with the language", () => {
    assert.equal(
      html("```sh\nls <dir> && rm\n```"),
      '<pre><code class="language-sh">ls &lt;dir&gt; &amp;&amp; rm</code></pre>',
    );
    assert.equal(html("```\nplain\n```"), "<pre><code>plain</code></pre>");
  });

  it("renders lists as bullet and number lines, nested lists indented", () => {
    assert.equal(html("- a\n- b\n  - c"), "• a\n• b\n  • c");
    assert.equal(html("3. x\n4. y"), "3. x\n4. y");
    assert.equal(html("- [x] done\n- [ ] todo"), "• ☑ done\n• ☐ todo");
  });

  it("renders tables as aligned pre blocks", () => {
    assert.equal(
      html("| host | cpu |\n|---|---|\n| web-1 | **93%** |\n| db <1> | 4% |"),
      ["<pre>host   | cpu", "-------+----", "web-1  | 93%", "db &lt;1&gt; | 4%</pre>"].join("\n"),
    );
  });

  it("renders headings bold, quotes as blockquote, raw HTML as text", () => {
    assert.equal(html("# Title"), "<b>Title</b>");
    assert.equal(html("> careful\n> > nested"), "<blockquote>careful\nnested</blockquote>");
    assert.equal(html("<script>x</script>"), "&lt;script&gt;x&lt;/script&gt;");
  });

  it("escapes &, < and > in every kind of text", () => {
    const card = createCard({
      title: "a<b & c>",
      markdown: "1 < 2 & 3 > 2",
      fields: [{ label: "x&y", value: "<v>" }],
      state: "done <now>",
    });
    const [part] = renderTelegramCard(card);
    assert.equal(
      part.html,
      "<b>a&lt;b &amp; c&gt;</b>\n\n1 &lt; 2 &amp; 3 &gt; 2\n\n<b>x&amp;y:</b> &lt;v&gt;\n\n<i>done &lt;now&gt;</i>",
    );
    assert.equal(parseTelegramHtml(part.html).text, "a<b & c>\n\n1 < 2 & 3 > 2\n\nx&y: <v>\n\ndone <now>");
  });

  it("puts buttons in an inline keyboard with the opaque id as callback_data", () => {
    const card = createCard({
      markdown: "ok?",
      buttons: [
        { id: "a1", label: "Approve" },
        { id: "a2", label: "Deny", style: "danger" },
      ],
    });
    assert.deepEqual(renderTelegramCard(card)[0].reply_markup, {
      inline_keyboard: [
        [
          { text: "Approve", callback_data: "a1" },
          { text: "Deny", callback_data: "a2" },
        ],
      ],
    });
  });

  it("refuses a button id over Telegram's 64-byte callback_data", () => {
    const card: Card = { ...createCard({ markdown: "x" }), buttons: [{ id: "é".repeat(33), label: "x" }] };
    assert.throws(() => renderTelegramCard(card), /64-byte callback_data/);
  });
});

describe("render-telegram: splitting", () => {
  const valid = (parts: { html: string }[]) => {
    for (const p of parts) {
      assert.ok(p.html.length <= TELEGRAM_MAX_MESSAGE_LENGTH, `part of ${p.html.length} chars`);
      parseTelegramHtml(p.html); // throws where Telegram would answer "can't parse entities"
    }
  };

  it("keeps a code block that fits whole in one part", () => {
    const prose = Array.from({ length: 60 }, (_, i) => `Paragraph ${i} with **bold** & <angles>.`).join(
      "\n\n",
    );
    const code = Array.from({ length: 80 }, (_, i) => `echo ${i} > /tmp/f`).join("\n");
    const parts = renderTelegramCard(
      createCard({ markdown: `${prose}\n\n\`\`\`sh\n${code}\n\`\`\`\n\nend` }),
      3000,
    );
    valid(parts);
    const withPre = parts.filter((p) => p.html.includes("<pre>"));
    assert.equal(withPre.length, 1);
    assert.ok(withPre[0].html.includes("echo 0 &gt;") && withPre[0].html.includes("echo 79 &gt;"));
  });

  it("cuts an oversized code block on lines, closing and reopening pre with its language", () => {
    const code = Array.from({ length: 600 }, (_, i) => `line ${i} <x> & y`).join("\n");
    const parts = renderTelegramCard(createCard({ markdown: `\`\`\`ts\n${code}\n\`\`\`` }));
    assert.ok(parts.length >= 3);
    valid(parts);
    for (const p of parts) {
      assert.ok(p.html.startsWith('<pre><code class="language-ts">') && p.html.endsWith("</code></pre>"));
    }
    const text = parts.map((p) => parseTelegramHtml(p.html).text.replace(/\n$/, "")).join("\n");
    assert.equal(text, code);
  });

  it("cuts a huge paragraph with nested formatting into valid parts and loses no text", () => {
    const words = Array.from({ length: 3000 }, (_, i) => (i % 7 === 0 ? `**w${i} & *x*<**` : `w${i}`)).join(
      " ",
    );
    const parts = renderTelegramCard(createCard({ markdown: words, buttons: [{ id: "b1", label: "B" }] }));
    valid(parts);
    assert.ok(parts.length >= 2);
    assert.ok(parts.slice(0, -1).every((p) => p.reply_markup === undefined));
    assert.ok(parts.at(-1)!.reply_markup);
    const joined = parts.map((p) => parseTelegramHtml(p.html).text).join("");
    const whole = renderTelegramCard(createCard({ markdown: words }), Number.MAX_SAFE_INTEGER)[0].html;
    assert.ok(
      joined.replace(/\s+/g, "") === parseTelegramHtml(whole).text.replace(/\s+/g, ""),
      "text lost or changed",
    );
  });

  it("splits raw HTML with a tag stack deeper than one", () => {
    const inner = `<b>bold <i>${"word ".repeat(300)}</i> tail</b>`;
    const parts = splitTelegramHtml(inner, 200);
    for (const p of parts) {
      assert.ok(p.length <= 200);
      parseTelegramHtml(p);
    }
    assert.ok(parts[1].startsWith("<b><i>"));
  });
});
