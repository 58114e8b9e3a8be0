// docker.compose: runs `docker compose <action>` for a project inside the working directory,
// through the Docker CLI's compose plugin, spawned with an argument array.

import { accessSync, constants as C } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { ErrorCodes, VigilError } from "../../core/errors.ts";
import type { PermissionLevel } from "../../policy/permission.ts";
import { resolveConfined } from "../confine.ts";
import { defineTool } from "../define-tool.ts";
import type { Tool } from "../tool.ts";
import { outcomeNotes, runProcess } from "./run-process.ts";
import { FIXED_PATH } from "./shell-exec.ts";
import { callRoot, describePath } from "./working-directory.ts";

export interface DockerComposeOptions {
  /** The operator's working directory; the project directory must lie inside it. */
  readonly workingDirectory: string;
  /** DOCKER_HOST for the CLI, e.g. `unix:///run/docker.sock` (default: the CLI's default). */
  readonly dockerHost?: string;
  /** The docker CLI; a name looked up on the fixed PATH, or an absolute path (default `docker`). */
  readonly dockerBinary?: string;
  readonly hostLabel?: string;
  /** Default 5 min. */
  readonly timeoutMs?: number;
  readonly maxOutputBytes?: number;
}

const ACTIONS = ["ps", "logs", "config", "pull", "up", "restart", "stop", "start", "down"] as const;
type Action = (typeof ACTIONS)[number];

/** Reading actions, actions that change services, and `down`, which removes them. */
const PERMISSION: Record<Action, PermissionLevel> = {
  ps: "read",
  logs: "read",
  config: "read",
  pull: "write",
  up: "write",
  restart: "write",
  stop: "write",
  start: "write",
  down: "exec",
};

/** Fixed flags per action, so a call cannot smuggle options in. */
const FLAGS: Record<Action, string[]> = {
  ps: ["--all"],
  logs: ["--no-color", "--tail", "200"],
  config: [],
  pull: ["--quiet"],
  up: ["--detach", "--no-color"],
  restart: [],
  stop: [],
  start: [],
  down: [],
};

const schema = z.object({
  projectDirectory: z
    .string()
    .min(1)
    .default(".")
    .describe("Folder with the compose file, inside the working directory"),
  action: z.enum(ACTIONS),
  services: z
    .array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "expected a service name"))
    .default([])
    .describe("Services to act on; empty means all"),
});

export type DockerComposeArgs = z.output<typeof schema>;

export const COMPOSE_MISSING = "the Docker Compose plugin is not installed — install docker-compose-plugin";

export function dockerComposeTool(opts: DockerComposeOptions): Tool<DockerComposeArgs> {
  let pluginChecked = false;
  const env = (home: string): Record<string, string> => ({
    PATH: FIXED_PATH,
    HOME: home,
    LANG: "C.UTF-8",
    ...(opts.dockerHost ? { DOCKER_HOST: opts.dockerHost } : {}),
  });
  return defineTool({
    name: "docker.compose",
    description: `Run docker compose (${ACTIONS.join(", ")}) for a project in the working directory.`,
    schema,
    permission: (a) => PERMISSION[a.action],
    resource: (a) =>
      `docker:${opts.hostLabel ?? "local"}/compose/${describePath(opts.workingDirectory, a.projectDirectory)}`,
    async run(a, ctx) {
      const root = callRoot(opts.workingDirectory, ctx);
      const project = resolveConfined(root, a.projectDirectory, { mustExist: true }).path;
      const docker = findDocker(opts.dockerBinary ?? "docker");
      const base = { file: docker, argv0: "docker", cwd: project, env: env(root), signal: ctx.signal };
      if (!pluginChecked) {
        const probe = await runProcess({
          ...base,
          args: ["compose", "version"],
          timeoutMs: 15_000,
          maxOutputBytes: 4096,
        });
        if (probe.exitCode !== 0) throw new VigilError(ErrorCodes.USAGE, COMPOSE_MISSING);
        pluginChecked = true;
      }
      const timeoutMs = opts.timeoutMs ?? 300_000;
      const outcome = await runProcess({
        ...base,
        args: ["compose", "--project-directory", project, a.action, ...FLAGS[a.action], "--", ...a.services],
        timeoutMs,
        maxOutputBytes: opts.maxOutputBytes ?? 64 * 1024,
      });
      return {
        ok: outcome.exitCode === 0 && !outcome.timedOut && !outcome.aborted,
        output: [outcome.output, ...outcomeNotes(outcome, timeoutMs)].filter((s) => s !== "").join("\n"),
        data: { exitCode: outcome.exitCode, timedOut: outcome.timedOut, truncated: outcome.truncated },
      };
    },
  });
}

function findDocker(bin: string): string {
  const candidates = path.isAbsolute(bin) ? [bin] : FIXED_PATH.split(":").map((d) => path.join(d, bin));
  for (const c of candidates) {
    try {
      accessSync(c, C.X_OK);
      return c;
    } catch {}
  }
  throw new VigilError(
    ErrorCodes.USAGE,
    `the Docker CLI (${bin}) is not installed — install docker.io or docker-ce-cli`,
  );
}
