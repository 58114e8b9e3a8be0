// TEST DOUBLE, never wired in production: a ToolInvoker with no approvals and no audit. It
// parses arguments, enforces the operator's ceiling and runs the tool with the task's signal.

import { mkdir } from "node:fs/promises";
import { withinCeiling } from "../../policy/permission.ts";
import type { ToolCall, ToolInvoker, ToolOutcome } from "../tool-invoker.ts";

export interface AllowAllInvokerOptions {
  redact: (text: string) => string;
}

/** Allows every call within the operator's ceiling; records each call it sees in `calls`. */
export class AllowAllInvoker implements ToolInvoker {
  readonly calls: ToolCall[] = [];
  readonly #redact: (text: string) => string;

  constructor({ redact }: AllowAllInvokerOptions) {
    this.#redact = redact;
  }

  async invoke(call: ToolCall): Promise<ToolOutcome> {
    this.calls.push(call);
    const { tool, operator, signal } = call;
    let args: Record<string, unknown>;
    try {
      args = tool.parseArgs(call.rawArgs);
    } catch (err) {
      return { status: "invalid", output: this.#redact((err as Error).message) };
    }
    const needed = tool.permission(args);
    if (!withinCeiling(needed, operator.ceiling)) {
      const reason = `${tool.name} needs ${needed}, above ${operator.name}'s ceiling (${operator.ceiling})`;
      return { status: "denied", output: reason, reason };
    }
    if (signal.aborted) return { status: "stopped", output: "stopped before it ran" };
    await mkdir(operator.workingDirectory, { recursive: true });
    try {
      const result = await tool.run(args, { signal, workingDirectory: operator.workingDirectory });
      if (signal.aborted) return { status: "stopped", output: this.#redact(result.output) };
      return { status: result.ok ? "ok" : "error", output: this.#redact(result.output) };
    } catch (err) {
      if (signal.aborted) return { status: "stopped", output: "stopped" };
      return { status: "error", output: this.#redact((err as Error).message) };
    }
  }
}
