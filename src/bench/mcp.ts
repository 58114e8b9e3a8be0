// Bench: the same MCP tool call (server-everything `echo` over stdio) through Vigil's Tool
// wrapper and with the bare SDK Client. Target: Vigil's median within 1.1× of the bare SDK.
// Run: node src/bench/mcp.ts

import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import pino from "pino";
import { AuditLog, createRedactor } from "../audit/index.ts";
import { ChatHub } from "../core/chat-hub.ts";
import { createPolicyService } from "../policy/policy-service.ts";
import { openStore } from "../store/index.ts";
import { tempDir } from "../testing/temp-dir.ts";
import { McpHub } from "../tools/mcp/index.ts";
import { launchOf, localBin } from "../tools/mcp/server-launch.ts";

const PACKAGE = "@modelcontextprotocol/server-everything";

/** Median and p99 of each side in ms, and Vigil/SDK ratios. */
export async function benchMcp({ iterations = 1000, warmup = 100 } = {}): Promise<Record<string, number>> {
  const cwd = import.meta.dirname;
  if (localBin(PACKAGE, cwd) === undefined) throw new Error(`${PACKAGE} is not installed`);
  const launch = launchOf({ name: "bench", package: PACKAGE, args: ["stdio"] }, cwd);
  const bare = new Client({ name: "bench", version: "0" });
  await bare.connect(
    new StdioClientTransport({
      command: launch.command,
      args: launch.args,
      env: launch.env,
      stderr: "ignore",
    }),
  );
  const hub = new McpHub({ cwd });
  const closers: (() => void)[] = [];
  try {
    await hub.add({ name: "bench", package: PACKAGE, args: ["stdio"] });
    const echo = hub.tool("mcp.bench.echo");
    if (echo === undefined) throw new Error("echo is not listed");
    // Each call gets its own signal, as each chat task does (listeners on one shared signal pile up).
    const ctx = () => ({ signal: new AbortController().signal, workingDirectory: tmpdir() });
    const viaVigil = async (): Promise<void> => {
      const result = await echo.run(echo.parseArgs({ message: "bench" }), ctx());
      if (!result.ok) throw new Error(result.output);
    };
    // The whole path a chat request takes: parse, policy gate, audit (decision and result),
    // run, redact — against a real SQLite file.
    const dir = tempDir();
    const store = openStore(join(dir.path, "vigil.db"));
    const log = pino({ level: "silent" });
    const redactor = createRedactor();
    const operator = {
      name: "bench",
      ceiling: "read" as const,
      trust: "strict" as const,
      workingDirectory: tmpdir(),
    };
    const policy = createPolicyService({
      db: store.db,
      secrets: ["a-bench-secret-of-enough-length"],
      users: { users: [{ name: "ana", roles: ["operator"], slack: ["U1"] }] },
      audit: new AuditLog({ db: store.db, redactor }),
      redact: (t) => redactor.redact(t).text,
      hub: new ChatHub({ ...store, log }),
      resolveCall: () => undefined,
      log,
    });
    closers.push(() => {
      store.close();
      dir[Symbol.dispose]();
    });
    const viaGate = async (): Promise<void> => {
      const outcome = await policy.invoker.invoke({
        operator,
        tool: echo,
        rawArgs: { message: "bench" },
        requester: { platform: "slack", userId: "U1" },
        source: "chat",
        signal: ctx().signal,
      });
      if (outcome.status !== "ok") throw new Error(outcome.output);
    };
    const viaSdk = async (): Promise<void> => {
      await bare.callTool({ name: "echo", arguments: { message: "bench" } }, undefined, {
        signal: ctx().signal,
      });
    };
    for (let i = 0; i < warmup; i++) {
      await viaVigil();
      await viaGate();
      await viaSdk();
    }
    const vigil: number[] = [];
    const gated: number[] = [];
    const sdk: number[] = [];
    const sides = [
      [viaVigil, vigil],
      [viaGate, gated],
      [viaSdk, sdk],
    ] as const;
    for (let i = 0; i < iterations; i++) {
      // Rotated, so machine noise hits every side alike.
      for (let k = 0; k < sides.length; k++) {
        const [run, into] = sides[(i + k) % sides.length];
        const started = performance.now();
        await run();
        into.push(performance.now() - started);
      }
    }
    const figures = {
      iterations,
      vigil_median_ms: quantile(vigil, 0.5),
      vigil_p99_ms: quantile(vigil, 0.99),
      gated_median_ms: quantile(gated, 0.5),
      gated_p99_ms: quantile(gated, 0.99),
      sdk_median_ms: quantile(sdk, 0.5),
      sdk_p99_ms: quantile(sdk, 0.99),
    };
    return {
      ...figures,
      ratio_median: figures.vigil_median_ms / figures.sdk_median_ms,
      ratio_p99: figures.vigil_p99_ms / figures.sdk_p99_ms,
      gated_ratio_median: figures.gated_median_ms / figures.sdk_median_ms,
      gated_ratio_p99: figures.gated_p99_ms / figures.sdk_p99_ms,
    };
  } finally {
    for (const close of closers) close();
    await hub.close();
    await bare.close();
  }
}

function quantile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const figures = await benchMcp();
  for (const [key, value] of Object.entries(figures))
    console.log(`${key}\t${Number.isInteger(value) ? value : value.toFixed(3)}`);
}
