// Bench: the same MCP tool call (server-everything `echo` over stdio) through Vigil's Tool
// wrapper and with the bare SDK Client. Target: Vigil's median within 1.1× of the bare SDK.
// Run: node src/bench/mcp.ts

import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
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
  try {
    await hub.add({ name: "bench", package: PACKAGE, args: ["stdio"] });
    const echo = hub.tool("mcp.bench.echo");
    if (echo === undefined) throw new Error("echo is not listed");
    const ctx = { signal: new AbortController().signal, workingDirectory: tmpdir() };
    const viaVigil = async (): Promise<void> => {
      const result = await echo.run(echo.parseArgs({ message: "bench" }), ctx);
      if (!result.ok) throw new Error(result.output);
    };
    const viaSdk = async (): Promise<void> => {
      await bare.callTool({ name: "echo", arguments: { message: "bench" } }, undefined, {
        signal: ctx.signal,
      });
    };
    for (let i = 0; i < warmup; i++) {
      await viaVigil();
      await viaSdk();
    }
    const vigil: number[] = [];
    const sdk: number[] = [];
    // Alternate which side goes first so drift (GC, CPU frequency) hits both alike.
    for (let i = 0; i < iterations; i++) {
      const order = i % 2 === 0 ? ([viaVigil, viaSdk] as const) : ([viaSdk, viaVigil] as const);
      for (const run of order) {
        const started = performance.now();
        await run();
        (run === viaVigil ? vigil : sdk).push(performance.now() - started);
      }
    }
    const figures = {
      iterations,
      vigil_median_ms: quantile(vigil, 0.5),
      vigil_p99_ms: quantile(vigil, 0.99),
      sdk_median_ms: quantile(sdk, 0.5),
      sdk_p99_ms: quantile(sdk, 0.99),
    };
    return {
      ...figures,
      ratio_median: figures.vigil_median_ms / figures.sdk_median_ms,
      ratio_p99: figures.vigil_p99_ms / figures.sdk_p99_ms,
    };
  } finally {
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
