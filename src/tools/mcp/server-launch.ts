// How a stdio MCP server is started: the command line (an npm package resolves to its
// locally installed bin first, else `npx -y`) and a scrubbed environment.

import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { McpServerConfig } from "./mcp-server-config.ts";

export interface Launch {
  readonly command: string;
  readonly args: string[];
  readonly env: Record<string, string>;
  readonly cwd?: string;
}

/** Passed through from Vigil's environment; everything else (tokens, VIGIL_SECRET) stays behind. */
const PASSED_THROUGH = ["PATH", "HOME", "LANG"] as const;
/** The MCP SDK adds these to every child; we blank them so the child sees only what we chose. */
const SDK_DEFAULTS = ["LOGNAME", "SHELL", "TERM", "USER"] as const;

export function scrubbedEnv(
  extra: Record<string, string> = {},
  from: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  // Undefined values are dropped by spawn, which is the point: they blank the SDK's defaults.
  const env: Record<string, string | undefined> = {};
  for (const key of SDK_DEFAULTS) env[key] = undefined;
  for (const key of PASSED_THROUGH) {
    const value = from[key];
    if (value !== undefined) env[key] = value;
  }
  return { ...env, ...extra } as Record<string, string>;
}

export function launchOf(config: McpServerConfig, cwd = process.cwd()): Launch {
  const env = scrubbedEnv(config.env);
  const args = config.args ?? [];
  const base = { env, ...(config.cwd !== undefined ? { cwd: resolve(cwd, config.cwd) } : {}) };
  if (config.command !== undefined) return { command: config.command, args, ...base };
  if (config.package === undefined) throw new Error(`mcp server ${config.name} has no command or package`);
  const local = localBin(config.package, cwd);
  // Run the bin with our own node: the child's PATH may not lead to a suitable one.
  if (local !== undefined) return { command: process.execPath, args: [local, ...args], ...base };
  return { command: "npx", args: ["-y", config.package, ...args], ...base };
}

/** The bin of an installed package, looked up in node_modules from `cwd` upward. */
export function localBin(spec: string, cwd: string): string | undefined {
  const name = packageName(spec);
  if (name === undefined) return undefined;
  for (let dir = resolve(cwd), i = 0; i < 64; dir = dirname(dir), i++) {
    const manifest = join(dir, "node_modules", name, "package.json");
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { bin?: string | Record<string, string> };
      const bins = typeof pkg.bin === "string" ? { [name]: pkg.bin } : (pkg.bin ?? {});
      const entries = Object.entries(bins);
      const unscoped = name.split("/").at(-1);
      const chosen = entries.find(([bin]) => bin === unscoped || bin === name) ?? entries[0];
      return chosen === undefined ? undefined : join(dirname(manifest), chosen[1]);
    }
    if (dirname(dir) === dir) break;
  }
  return undefined;
}

/** `@scope/pkg` or `pkg`; a spec pinned to a version (`pkg@1.2.3`) is left to npx. */
function packageName(spec: string): string | undefined {
  const match = /^(@[^/@]+\/[^/@]+|[^/@]+)$/.exec(spec);
  return match?.[1];
}
