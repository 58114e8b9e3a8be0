// docker.restart: restarts one container and reports when it started again.

import { z } from "zod";
import { defineTool } from "../define-tool.ts";
import type { Tool } from "../tool.ts";
import {
  containerName,
  containerResource,
  type DockerToolOptions,
  dockerErrorText,
} from "./docker-target.ts";

const schema = z.object({
  container: containerName,
  timeoutSeconds: z.number().int().min(0).max(300).default(10).describe("Seconds to wait for a clean stop"),
});

export type DockerRestartArgs = z.output<typeof schema>;

export function dockerRestartTool(opts: DockerToolOptions): Tool<DockerRestartArgs> {
  return defineTool({
    name: "docker.restart",
    description: "Restart a container (stop, waiting up to timeoutSeconds, then start).",
    schema,
    permission: () => "write",
    resource: (a) => containerResource(opts, a.container),
    async run(a, ctx) {
      const container = opts.docker.getContainer(a.container);
      try {
        const before = await container.inspect({ abortSignal: ctx.signal });
        await container.restart({ t: a.timeoutSeconds, abortSignal: ctx.signal });
        const after = await container.inspect({ abortSignal: ctx.signal });
        const running = after.State.Running;
        return {
          ok: running,
          output: running
            ? `restarted ${a.container}; running since ${after.State.StartedAt}`
            : `restarted ${a.container}, but it is ${after.State.Status} (exit code ${after.State.ExitCode})`,
          data: {
            startedAtBefore: before.State.StartedAt,
            startedAt: after.State.StartedAt,
            state: after.State.Status,
          },
        };
      } catch (err) {
        return {
          ok: false,
          output: `could not restart ${a.container}: ${dockerErrorText(err, a.container)}`,
        };
      }
    },
  });
}
