// The /audit admin page: the chain's verify status, a filter form and one page of records with
// a link to older ones. Server-rendered; every value is escaped.

import { AUDIT_SOURCES, type AuditEntry, type VerifyResult } from "../audit/index.ts";
import { escapeHtml, type NavLink, page } from "./html.ts";

export interface AuditPageView {
  /** The raw filter values as submitted, kept in the form and in the paging links. */
  filters: Readonly<Record<string, string>>;
  entries: readonly AuditEntry[];
  verify: VerifyResult;
  /** Set when older records match the filters. */
  nextBeforeSeq: number | null;
  /** A bad filter: shown instead of records. */
  error?: string;
  nav: readonly NavLink[];
}

const FORM_FIELDS = [
  ["actor", "Actor", "user id, scheduler …"],
  ["tool", "Tool", "docker.restart"],
  ["decision", "Decision", "allow, deny, executed …"],
  ["operator", "Operator", "docker"],
  ["since", "Since", "2024-05-01T00:00:00Z"],
  ["until", "Until", "2024-05-02T00:00:00Z"],
] as const;
// Long arguments would make the table unreadable; the API returns them whole.
const MAX_ARGS_CHARS = 300;

export function auditPage(v: AuditPageView): string {
  return page(
    "Audit log",
    `<h1>Audit log</h1>
${verifyLine(v.verify)}
${filterForm(v.filters)}
${v.error ? `<p class="error" role="alert">${escapeHtml(v.error)}</p>` : recordsTable(v)}`,
    v.nav,
  );
}

function verifyLine(r: VerifyResult): string {
  if (r.ok) {
    return `<p class="ok" id="verify">chain intact: ${r.checked} records (verified through record ${r.lastSeq})</p>`;
  }
  const problems = r.problems
    .slice(0, 20)
    .map((p) => `<li>record ${p.seq}: ${escapeHtml(p.kind)} — ${escapeHtml(p.detail)}</li>`)
    .join("");
  const more = r.problems.length > 20 ? `<li>… and ${r.problems.length - 20} more</li>` : "";
  return `<div class="error" id="verify"><p><strong>chain BROKEN: ${r.problems.length} problem(s) in ${r.checked} records.</strong> The database was changed outside Vigil; keep a copy as evidence.</p><ul>${problems}${more}</ul></div>`;
}

function filterForm(filters: Readonly<Record<string, string>>): string {
  const inputs = FORM_FIELDS.map(
    ([name, label, hint]) =>
      `<label>${label}<input name="${name}" value="${escapeHtml(filters[name] ?? "")}" placeholder="${escapeHtml(hint)}"></label>`,
  ).join("");
  const chosen = filters.source ?? "";
  const options = ["", ...AUDIT_SOURCES]
    .map(
      (s) =>
        `<option value="${escapeHtml(s)}"${s === chosen ? " selected" : ""}>${s === "" ? "any" : escapeHtml(s)}</option>`,
    )
    .join("");
  return `<form class="filters" method="get" action="/audit">${inputs}<label>Source<select name="source">${options}</select></label><button type="submit">Filter</button></form>`;
}

function recordsTable(v: AuditPageView): string {
  const cell = (value: unknown) =>
    `<td>${value === null || value === undefined ? "" : escapeHtml(value)}</td>`;
  const rows = v.entries
    .map(
      (e) =>
        `<tr data-seq="${e.seq}">${cell(e.seq)}${cell(e.time)}${cell(e.actor)}${cell(e.source)}${cell(e.operator)}${cell(e.tool)}${cell(e.decision)}${cell(e.reason)}${cell(e.grantId)}${cell(e.resultSummary)}<td><code>${escapeHtml(compactJson(e.arguments))}</code></td></tr>`,
    )
    .join("");
  const empty = '<tr><td colspan="11">No records match these filters.</td></tr>';
  const links: string[] = [];
  if (v.filters.beforeSeq) links.push(`<a href="${escapeHtml(pageHref(v.filters, undefined))}">Newest</a>`);
  if (v.nextBeforeSeq !== null) {
    links.push(`<a href="${escapeHtml(pageHref(v.filters, v.nextBeforeSeq))}" rel="next">Older →</a>`);
  }
  return `<table id="audit"><thead><tr><th>Seq</th><th>Time</th><th>Actor</th><th>Source</th><th>Operator</th><th>Tool</th><th>Decision</th><th>Reason</th><th>Grant</th><th>Result</th><th>Arguments</th></tr></thead><tbody>${rows || empty}</tbody></table>
<p class="paging">${links.join(" · ")}</p>`;
}

function pageHref(filters: Readonly<Record<string, string>>, beforeSeq: number | undefined): string {
  const params = new URLSearchParams();
  for (const [k, val] of Object.entries(filters)) if (k !== "beforeSeq" && val !== "") params.set(k, val);
  if (beforeSeq !== undefined) params.set("beforeSeq", String(beforeSeq));
  const qs = params.toString();
  return qs ? `/audit?${qs}` : "/audit";
}

function compactJson(value: unknown): string {
  if (value === null || value === undefined) return "";
  const json = typeof value === "string" ? value : JSON.stringify(value);
  return json.length > MAX_ARGS_CHARS ? `${json.slice(0, MAX_ARGS_CHARS)}…` : json;
}
