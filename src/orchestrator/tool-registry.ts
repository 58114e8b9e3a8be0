// The tools Vigil knows (native and MCP), by name, and which of them an operator may use:
// an operator lists names or globs (`docker.*`, `mcp.everything.*`).

import type { LlmToolSpec } from "../llm/llm-client.ts";
import type { Operator } from "../operators/operator.ts";
import { type PermissionLevel, permissionRank } from "../policy/permission.ts";
import type { Tool } from "../tools/tool.ts";

export interface RegisterOptions {
  /**
   * Only for this operator, overriding a shared tool of the same name: native filesystem, shell
   * and compose tools are built per operator, bound to its working directory.
   */
  readonly operator?: string;
  /** The least permission any call of this tool needs; a tool above an operator's ceiling is not offered to it. */
  readonly minPermission?: PermissionLevel;
}

interface Entry {
  readonly tool: Tool;
  readonly minPermission: PermissionLevel;
}

/** True when `name` matches `pattern`: `*` matches any run of characters, dots included. */
export function matchesToolPattern(pattern: string, name: string): boolean {
  if (!pattern.includes("*")) return pattern === name;
  const re = new RegExp(`^${pattern.split("*").map(escapeRegExp).join(".*")}$`);
  return re.test(name);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export class ToolRegistry {
  readonly #tools = new Map<string, Entry>();
  readonly #scoped = new Map<string, Map<string, Entry>>();

  /** Adds or replaces a tool, shared or for one operator (MCP tools come and go as servers reconnect). */
  register(tool: Tool, opts: RegisterOptions = {}): this {
    const entry = { tool, minPermission: opts.minPermission ?? "read" };
    if (opts.operator === undefined) this.#tools.set(tool.name, entry);
    else {
      const mine = this.#scoped.get(opts.operator) ?? new Map<string, Entry>();
      mine.set(tool.name, entry);
      this.#scoped.set(opts.operator, mine);
    }
    return this;
  }

  /** Adds an MCP tool; its permission does not depend on arguments, so it is also its floor. */
  registerMcp(tool: Tool): this {
    return this.register(tool, { minPermission: tool.permission({}) });
  }

  /** Removes a shared tool, or one operator's own. */
  unregister(name: string, operator?: string): boolean {
    return operator === undefined
      ? this.#tools.delete(name)
      : (this.#scoped.get(operator)?.delete(name) ?? false);
  }

  /** Drops every tool registered for one operator (before rebuilding them, e.g. after its working directory changed). */
  clearOperator(operator: string): void {
    this.#scoped.delete(operator);
  }

  /** The tool by name, as `operator` gets it (its own instance first). */
  get(name: string, operator?: string): Tool | undefined {
    return this.#entry(name, operator)?.tool;
  }

  /** Shared tools and, when given, the operator's own instead of shared ones of the same name. */
  list(operator?: string): Tool[] {
    return [...this.#entries(operator).values()]
      .map((e) => e.tool)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  #entry(name: string, operator?: string): Entry | undefined {
    return (
      (operator !== undefined ? this.#scoped.get(operator)?.get(name) : undefined) ?? this.#tools.get(name)
    );
  }

  #entries(operator?: string): Map<string, Entry> {
    const all = new Map(this.#tools);
    if (operator === undefined) {
      // Operator-scoped names still show up once in the catalogue.
      for (const mine of this.#scoped.values()) for (const [n, e] of mine) if (!all.has(n)) all.set(n, e);
      return all;
    }
    for (const [n, e] of this.#scoped.get(operator) ?? []) all.set(n, e);
    return all;
  }

  /** True when the operator lists the tool (by name or glob). Says nothing about the ceiling. */
  assigned(operator: Operator, name: string): boolean {
    return operator.tools.some((p) => matchesToolPattern(p, name));
  }

  /** The registered tools an operator may use: assigned, and not above its ceiling at their floor. */
  forOperator(operator: Operator): Tool[] {
    const ceiling = permissionRank(operator.ceiling);
    return [...this.#entries(operator.name).values()]
      .filter((e) => this.assigned(operator, e.tool.name) && permissionRank(e.minPermission) <= ceiling)
      .map((e) => e.tool)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The operator's tools as the model sees them. */
  specsFor(operator: Operator): LlmToolSpec[] {
    return this.forOperator(operator).map((t) => ({
      name: t.name,
      description: t.description,
      inputSchema: t.inputSchema,
    }));
  }
}
