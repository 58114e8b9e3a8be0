// Shared pieces of the Docker tools: the engine they talk to, container name validation,
// and the resource string `docker:<host>/container/<name>`.

import type Docker from "dockerode";
import { z } from "zod";

export interface DockerToolOptions {
  /** A dockerode client; its socketPath or host picks the engine. */
  readonly docker: Docker;
  /** Names the engine in resources, e.g. `prod-1` (default `local`). */
  readonly hostLabel?: string;
}

/** A container name or id, as Docker accepts them. */
export const containerName = z
  .string()
  .regex(/^\/?[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, "expected a container name or id (letters, digits, _ . -)")
  .transform((s) => s.replace(/^\//, ""))
  .describe("Container name or id");

export function containerResource(opts: DockerToolOptions, name: string): string {
  return `docker:${opts.hostLabel ?? "local"}/container/${name}`;
}

/** Docker reports "not found" as a 404; say it in words. */
export function dockerErrorText(err: unknown, container?: string): string {
  const e = err as { statusCode?: number; json?: { message?: string }; message?: string; code?: string };
  if (e.statusCode === 404 && container) return `no container named ${container}`;
  if (e.code === "ENOENT" || e.code === "ECONNREFUSED") {
    return `the Docker engine is not reachable (${e.code}) — check that it runs and the socket path is right`;
  }
  return e.json?.message ?? e.message ?? String(err);
}
