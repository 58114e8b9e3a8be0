// http.check: one HTTP request, reporting status, latency and whether the body matched.
// Redirects are reported, not followed, so the call touches only the origin it names.

import { z } from "zod";
import { defineTool } from "../define-tool.ts";
import type { Tool } from "../tool.ts";

export interface HttpCheckOptions {
  /** Injected for tests; defaults to the global fetch. */
  readonly fetch?: typeof fetch;
  /** Most body bytes read for matching (default 1 MiB). */
  readonly maxBodyBytes?: number;
}

const schema = z.object({
  url: z
    .url({ protocol: /^https?$/, error: "expected an http:// or https:// URL" })
    .describe("http:// or https:// URL to check"),
  method: z.enum(["GET", "HEAD"]).default("GET"),
  expectStatus: z.number().int().min(100).max(599).optional().describe("Expected status; default any 2xx"),
  bodyMatch: z.string().min(1).optional().describe("Text the body must contain"),
  timeoutMs: z.number().int().positive().max(120_000).default(10_000),
});

export type HttpCheckArgs = z.output<typeof schema>;

export function httpCheckTool(opts: HttpCheckOptions = {}): Tool<HttpCheckArgs> {
  const doFetch = opts.fetch ?? fetch;
  const maxBodyBytes = opts.maxBodyBytes ?? 1024 * 1024;
  return defineTool({
    name: "http.check",
    description: "Check an HTTP endpoint: status, latency, and optionally that the body contains some text.",
    schema,
    permission: () => "read",
    resource: (a) => `http:${new URL(a.url).origin}`,
    async run(a, ctx) {
      const started = performance.now();
      let res: Response;
      try {
        res = await doFetch(a.url, {
          method: a.method,
          redirect: "manual",
          signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(a.timeoutMs)]),
        });
      } catch (err) {
        const e = err as Error & { cause?: { code?: string; message?: string } };
        const why =
          e.name === "TimeoutError"
            ? `no answer within ${a.timeoutMs} ms`
            : (e.cause?.code ?? e.cause?.message ?? e.message);
        return { ok: false, output: `${a.method} ${a.url} failed: ${why}`, data: { error: why } };
      }
      const latencyMs = Math.round(performance.now() - started);
      let matched: boolean | undefined;
      if (a.bodyMatch !== undefined) {
        const body = await readCapped(res, maxBodyBytes).catch(() => "");
        matched = body.includes(a.bodyMatch);
      } else {
        await res.body?.cancel().catch(() => {});
      }
      const statusOk = a.expectStatus !== undefined ? res.status === a.expectStatus : res.ok;
      const location = res.headers.get("location") ?? undefined;
      const parts = [`${a.method} ${a.url} → ${res.status} in ${latencyMs} ms`];
      if (!statusOk) parts.push(`expected ${a.expectStatus ?? "2xx"}`);
      if (location) parts.push(`redirects to ${location} (not followed)`);
      if (matched !== undefined)
        parts.push(matched ? "body matches" : `body does not contain ${JSON.stringify(a.bodyMatch)}`);
      return {
        ok: statusOk && matched !== false,
        output: parts.join("; "),
        data: { status: res.status, latencyMs, matched, location },
      };
    },
  });
}

async function readCapped(res: Response, max: number): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  while (total < max) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.length;
  }
  await reader.cancel().catch(() => {});
  return Buffer.concat(chunks).subarray(0, max).toString("utf8");
}
