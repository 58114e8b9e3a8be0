// Loads vigil.yaml (VIGIL_CONFIG or <data>/vigil.yaml), applies environment overrides and
// validates once. A bad value fails at start with the field's path, where it came from and
// what is allowed.

import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { ErrorCodes, VigilError } from "../core/errors.ts";
import { type Config, configSchema } from "./schema.ts";

type Json = Record<string, unknown>;

/** Environment variables and the config path each one overrides. */
const ENV_OVERRIDES: Record<string, { path: string[]; list?: boolean }> = {
  VIGIL_HOST: { path: ["server", "host"] },
  VIGIL_PORT: { path: ["server", "port"] },
  VIGIL_CORS_ORIGINS: { path: ["server", "corsOrigins"], list: true },
  VIGIL_LOG_LEVEL: { path: ["log", "level"] },
  SLACK_BOT_TOKEN: { path: ["slack", "botToken"] },
  SLACK_APP_TOKEN: { path: ["slack", "appToken"] },
  SLACK_SIGNING_SECRET: { path: ["slack", "signingSecret"] },
  SLACK_API_URL: { path: ["slack", "apiUrl"] },
  DISCORD_TOKEN: { path: ["discord", "token"] },
  DISCORD_API_URL: { path: ["discord", "apiUrl"] },
  TELEGRAM_BOT_TOKEN: { path: ["telegram", "botToken"] },
  TELEGRAM_API_ROOT: { path: ["telegram", "apiRoot"] },
  TELEGRAM_WEBHOOK_SECRET: { path: ["telegram", "webhookSecret"] },
};

export function defaultDataDir(env: NodeJS.ProcessEnv): string {
  return resolve(env.VIGIL_DATA_DIR || join(env.HOME || homedir(), ".vigil"));
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = defaultDataDir(env);
  const explicit = env.VIGIL_CONFIG;
  const configPath = explicit ? resolve(explicit) : join(dataDir, "vigil.yaml");
  let raw: Json = {};
  if (explicit && !existsSync(configPath)) {
    throw new VigilError(
      ErrorCodes.CONFIG_UNREADABLE,
      `VIGIL_CONFIG points to ${configPath}, which does not exist`,
    );
  }
  const hasFile = existsSync(configPath);
  if (hasFile) raw = readYaml(configPath);
  const fromEnv = new Map<string, string>();
  for (const [name, { path, list }] of Object.entries(ENV_OVERRIDES)) {
    const value = env[name];
    if (value === undefined || value === "") continue;
    setPath(
      raw,
      path,
      list
        ? value
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean)
        : value,
    );
    fromEnv.set(path.join("."), name);
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    throw new VigilError(
      ErrorCodes.CONFIG_INVALID,
      formatIssues(result.error.issues, hasFile ? configPath : undefined, fromEnv),
    );
  }
  return { ...result.data, dataDir, configPath: hasFile ? configPath : undefined };
}

function readYaml(path: string): Json {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new VigilError(ErrorCodes.CONFIG_UNREADABLE, `cannot read ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new VigilError(ErrorCodes.CONFIG_INVALID, `${path} is not valid YAML: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== "object" || Array.isArray(doc)) {
    throw new VigilError(
      ErrorCodes.CONFIG_INVALID,
      `${path} must hold a mapping of settings (see config/vigil.example.yaml)`,
    );
  }
  return withoutNulls(doc as Json);
}

/** `discord:` with every line under it commented out is YAML null: it means "nothing set". */
function withoutNulls(node: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (value === null) continue;
    out[key] = typeof value === "object" && !Array.isArray(value) ? withoutNulls(value as Json) : value;
  }
  return out;
}

function setPath(target: Json, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== "object" || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Json;
  }
  node[path[path.length - 1]] = value;
}

function formatIssues(
  issues: readonly z.core.$ZodIssue[],
  file: string | undefined,
  fromEnv: Map<string, string>,
): string {
  const lines = issues.map((issue) => {
    const path = issue.path.join(".") || "(top level)";
    const envName = [...fromEnv].find(([p]) => path === p || path.startsWith(`${p}.`))?.[1];
    const where = envName ? ` (from ${envName})` : file ? ` (in ${file})` : "";
    let message = issue.message;
    if (issue.code === "unrecognized_keys")
      message = `unknown setting ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
    return `  - ${path}${where}: ${message}`;
  });
  return `invalid configuration:\n${lines.join("\n")}\nSee config/vigil.example.yaml for every setting and its allowed values.`;
}
