// Tiny HTML helpers for the admin page: every interpolated value is escaped.

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** A link in the page's top navigation: [href, label]. */
export type NavLink = readonly [href: string, label: string];

/** The navigation every admin page shows unless told otherwise. */
export const DEFAULT_NAV: readonly NavLink[] = [
  ["/", "Status"],
  ["/docs", "API"],
];

/** A complete admin page with Vigil's minimal stylesheet. `body` must already be escaped. */
export function page(title: string, body: string, nav: readonly NavLink[] = DEFAULT_NAV): string {
  const links = nav.map(([href, label]) => `<a href="${escapeHtml(href)}">${escapeHtml(label)}</a>`).join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Vigil</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#1b1f24}
h1{font-size:1.4rem}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #d0d7de}
.connected{color:#1a7f37}.error{color:#cf222e}.connecting{color:#9a6700}.stopped{color:#57606a}
nav a{margin-right:1rem}form{display:flex;gap:.5rem}input{flex:1;padding:.4rem}button{padding:.4rem .8rem}
form.filters{flex-wrap:wrap}form.filters label{display:flex;flex-direction:column;font-size:.85rem;flex:1 1 8rem}
td code{font-size:.8rem;word-break:break-all}.ok{color:#1a7f37}
</style></head><body>
<nav>${links}</nav>
${body}
</body></html>`;
}
