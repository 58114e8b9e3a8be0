// docker.list: lists containers on one Docker engine with their image and state.

import { z } from "zod";
import { defineTool } from "../define-tool.ts";
import type { Tool } from "../tool.ts";
import { type DockerToolOptions, dockerErrorText } from "./docker-target.ts";

const schema = z.object({
  all: z.boolean().default(false).describe("Include stopped containers"),
});

export type DockerListArgs = z.output<typeof schema>;

export interface ContainerSummary {
  readonly name: string;
  readonly id: string;
  readonly image: string;
  readonly state: string;
  readonly status: string;
}

export function dockerListTool(opts: DockerToolOptions): Tool<DockerListArgs> {
  return defineTool({
    name: "docker.list",
    description: "List containers with their image, state and status.",
    schema,
    permission: () => "read",
    resource: () => `docker:${opts.hostLabel ?? "local"}/containers`,
    async run(a, ctx) {
      let list: Awaited<ReturnType<typeof opts.docker.listContainers>>;
      try {
        list = await opts.docker.listContainers({ all: a.all, abortSignal: ctx.signal });
      } catch (err) {
        return { ok: false, output: `could not list containers: ${dockerErrorText(err)}` };
      }
      const rows: ContainerSummary[] = list.map((c) => ({
        name: (c.Names[0] ?? c.Id).replace(/^\//, ""),
        id: c.Id.slice(0, 12),
        image: c.Image,
        state: c.State,
        status: c.Status,
      }));
      rows.sort((x, y) => x.name.localeCompare(y.name));
      const output =
        rows.length === 0
          ? "no containers"
          : rows.map((r) => `${r.name}\t${r.image}\t${r.state}\t${r.status}`).join("\n");
      return { ok: true, output, data: rows };
    },
  });
}
