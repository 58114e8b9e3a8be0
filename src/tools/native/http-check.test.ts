// http.check against a real local HTTP server: status, latency, body match, redirects not followed.

import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { ToolContext } from "../tool.ts";
import { httpCheckTool } from "./http-check.ts";

describe("http.check", () => {
  let server: Server;
  let origin: string;
  const ctx = (): ToolContext => ({ signal: new AbortController().signal, workingDirectory: "/tmp" });
  const tool = httpCheckTool({ maxBodyBytes: 1000 });
  const check = (args: Record<string, unknown>) => tool.run(tool.parseArgs(args), ctx());

  before(async () => {
    server = createServer((req, res) => {
      if (req.url === "/health") return void res.end("status: all good");
      if (req.url === "/down") return void res.writeHead(503).end("down");
      if (req.url === "/moved")
        return void res.writeHead(302, { location: "http://127.0.0.1:1/elsewhere" }).end();
      if (req.url === "/slow") return void setTimeout(() => res.end("late"), 2000);
      if (req.url === "/huge") return void res.end(`${"x".repeat(5000)}needle`);
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it("declares read permission and an http:<origin> resource", () => {
    const args = tool.parseArgs({ url: `${origin}/health?x=1` });
    assert.equal(tool.permission(args), "read");
    assert.equal(tool.resource(args), `http:${origin}`);
  });

  it("reports status, latency and a body match", async () => {
    const r = await check({ url: `${origin}/health`, bodyMatch: "all good" });
    assert.equal(r.ok, true, r.output);
    const d = r.data as { status: number; latencyMs: number; matched: boolean };
    assert.equal(d.status, 200);
    assert.equal(d.matched, true);
    assert.ok(d.latencyMs >= 0 && d.latencyMs < 5000);
  });

  it("fails on a missing body match or an unexpected status", async () => {
    const miss = await check({ url: `${origin}/health`, bodyMatch: "degraded" });
    assert.equal(miss.ok, false);
    assert.match(miss.output, /body does not contain "degraded"/);
    const down = await check({ url: `${origin}/down` });
    assert.equal(down.ok, false);
    assert.match(down.output, /→ 503 .*expected 2xx/);
    const expected = await check({ url: `${origin}/down`, expectStatus: 503 });
    assert.equal(expected.ok, true);
  });

  it("reports a redirect without following it", async () => {
    const r = await check({ url: `${origin}/moved`, expectStatus: 302 });
    assert.equal(r.ok, true, r.output);
    assert.match(r.output, /redirects to http:\/\/127\.0\.0\.1:1\/elsewhere \(not followed\)/);
  });

  it("times out", async () => {
    const r = await check({ url: `${origin}/slow`, timeoutMs: 200 });
    assert.equal(r.ok, false);
    assert.match(r.output, /no answer within 200 ms/);
  });

  it("reads only a capped amount of body for matching", async () => {
    const r = await check({ url: `${origin}/huge`, bodyMatch: "needle" });
    assert.equal(r.ok, false);
  });

  it("reports a refused connection", async () => {
    const gone = createServer();
    await new Promise<void>((resolve) => gone.listen(0, "127.0.0.1", resolve));
    const port = (gone.address() as AddressInfo).port;
    await new Promise((resolve) => gone.close(resolve));
    const r = await check({ url: `http://127.0.0.1:${port}/` });
    assert.equal(r.ok, false);
    assert.match(r.output, /ECONNREFUSED/);
  });

  it("accepts only http and https URLs", () => {
    assert.throws(() => tool.parseArgs({ url: "file:///etc/passwd" }), /`url`: expected an http/);
    assert.throws(() => tool.parseArgs({ url: "not a url" }), /`url`/);
  });
});
