// The native tools, built with their collaborators for one operator's working directory.

import type Docker from "dockerode";
import type { Tool } from "../tool.ts";
import { dockerComposeTool } from "./docker-compose.ts";
import { dockerListTool } from "./docker-list.ts";
import { dockerLogsTool } from "./docker-logs.ts";
import { dockerRestartTool } from "./docker-restart.ts";
import { filesystemReadTool } from "./filesystem-read.ts";
import { filesystemWriteTool } from "./filesystem-write.ts";
import type { HostKeyStore } from "./host-key-store.ts";
import { httpCheckTool } from "./http-check.ts";
import { shellExecTool } from "./shell-exec.ts";
import { type SshCredentialLookup, sshExecTool } from "./ssh-exec.ts";

export { COMPOSE_MISSING, dockerComposeTool } from "./docker-compose.ts";
export { dockerListTool } from "./docker-list.ts";
export { demultiplexDockerStream, dockerLogsTool } from "./docker-logs.ts";
export { dockerRestartTool } from "./docker-restart.ts";
export { filesystemReadTool } from "./filesystem-read.ts";
export { filesystemWriteTool } from "./filesystem-write.ts";
export { HostKeyStore, type PinnedHostKey, sshFingerprint } from "./host-key-store.ts";
export { httpCheckTool } from "./http-check.ts";
export { FIXED_PATH, shellExecTool } from "./shell-exec.ts";
export {
  hostKeyChangedMessage,
  type SshCredential,
  type SshCredentialLookup,
  type SshExecTool,
  sshExecTool,
} from "./ssh-exec.ts";

interface Log {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface NativeToolsOptions {
  /** The operator's working directory; filesystem, shell and compose tools are confined to it. */
  readonly workingDirectory: string;
  /** SSH tools are built only when both are given. */
  readonly hostKeys?: HostKeyStore;
  readonly sshCredentials?: SshCredentialLookup;
  /** Docker tools are built only when given. */
  readonly docker?: Docker;
  /** DOCKER_HOST for `docker compose`, matching `docker`'s socket. */
  readonly dockerHost?: string;
  /** Names the Docker engine in resources (default `local`). */
  readonly dockerHostLabel?: string;
  readonly log?: Log;
}

/** Every native tool the options allow, for one operator. */
export function nativeTools(opts: NativeToolsOptions): Tool[] {
  const wd = opts.workingDirectory;
  const tools: Tool[] = [
    erase(filesystemReadTool({ workingDirectory: wd })),
    erase(filesystemWriteTool({ workingDirectory: wd })),
    erase(shellExecTool({ workingDirectory: wd })),
    erase(httpCheckTool()),
  ];
  if (opts.hostKeys && opts.sshCredentials) {
    tools.push(
      erase(sshExecTool({ hostKeys: opts.hostKeys, credentials: opts.sshCredentials, log: opts.log })),
    );
  }
  if (opts.docker) {
    const d = { docker: opts.docker, hostLabel: opts.dockerHostLabel };
    tools.push(
      erase(dockerListTool(d)),
      erase(dockerLogsTool(d)),
      erase(dockerRestartTool(d)),
      erase(
        dockerComposeTool({
          workingDirectory: wd,
          dockerHost: opts.dockerHost,
          hostLabel: opts.dockerHostLabel,
        }),
      ),
    );
  }
  return tools;
}

/** Forgets a tool's argument type for a mixed list; safe because a tool only ever receives its own parseArgs output. */
function erase<A>(tool: Tool<A>): Tool {
  return tool as unknown as Tool;
}
