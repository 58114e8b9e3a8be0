// The operators Vigil runs with: the YAML defaults with admin edits (chat commands, JSON API)
// layered over them from SQLite, so an edit survives a restart and a reset brings the file back.

import { z } from "zod";
import type { Db } from "../store/open-database.ts";
import { describeZodError, type Operator, type OperatorFields, parseOperator } from "./operator.ts";

/** Fields an admin may change; `name` is fixed once an operator exists. */
export type OperatorPatch = Partial<Omit<OperatorFields, "name" | "model">> & {
  /** `null` removes the model. */
  model?: OperatorFields["model"] | null;
};

export interface OperatorRepositoryOptions {
  db: Db;
  /** Operators from config/operators/*.yaml. */
  defaults: readonly Operator[];
  dataDir: string;
  /** Called after an operator is edited or reset, e.g. to rebind its tools to a new working directory. */
  onChange?: (name: string) => void;
  /** Every edit and reset is recorded here (the audit log). */
  audit?: {
    append(record: {
      actor: string;
      source: "chat" | "system";
      operator: string;
      decision: string;
      reason: string;
    }): unknown;
  };
}

/** An admin edit that does not validate; the message names the field. */
export class OperatorEditError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "OperatorEditError";
  }
}

export class OperatorRepository {
  readonly #db: Db;
  readonly #defaults: ReadonlyMap<string, Operator>;
  readonly #dataDir: string;
  readonly #audit: OperatorRepositoryOptions["audit"];
  readonly #onChange: OperatorRepositoryOptions["onChange"];
  #cache: Map<string, Operator> | undefined;

  constructor({ db, defaults, dataDir, audit, onChange }: OperatorRepositoryOptions) {
    this.#db = db;
    this.#audit = audit;
    this.#onChange = onChange;
    this.#defaults = new Map(defaults.map((o) => [o.name, o]));
    this.#dataDir = dataDir;
  }

  /** Every operator, sorted by name. */
  list(): Operator[] {
    return [...this.#all().values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  get(name: string): Operator | undefined {
    return this.#all().get(name.toLowerCase());
  }

  /** True when the operator comes from a file and an admin has not replaced it. */
  isEdited(name: string): boolean {
    return this.#overrideRow(name) !== undefined;
  }

  /**
   * Changes some fields of an operator (or creates one when `name` is new: then every required
   * field must be given). Validates the result before storing; returns the operator as it now is.
   */
  set(name: string, patch: OperatorPatch, updatedBy: string): Operator {
    const base = this.#defaults.get(name);
    const previous = this.#overrideFields(name);
    const fields = { ...previous, ...withoutUndefined(patch) };
    const merged: Record<string, unknown> = { ...(base ? toFields(base) : {}), ...fields, name };
    if (merged.model === null) delete merged.model;
    let op: Operator;
    try {
      op = parseOperator(merged, this.#dataDir);
    } catch (err) {
      if (err instanceof z.ZodError) {
        throw new OperatorEditError(`operator ${name}: ${describeZodError(err)}`, { cause: err });
      }
      throw err;
    }
    this.#db
      .prepare(
        `INSERT INTO operator_overrides (name, fields, updated_by, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET fields = excluded.fields, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
      )
      .run(name, JSON.stringify(fields), updatedBy, new Date().toISOString());
    this.#cache = undefined;
    this.#audit?.append({
      actor: updatedBy,
      source: "chat",
      operator: name,
      decision: "info",
      reason: `operator ${name} edited: ${Object.keys(withoutUndefined(patch)).join(", ")}`,
    });
    this.#onChange?.(name);
    return op;
  }

  /** Drops the admin edits: a file operator returns to its YAML, one made only by an admin is removed. */
  reset(name: string, by = "admin"): boolean {
    const changed = this.#db.prepare("DELETE FROM operator_overrides WHERE name = ?").run(name).changes > 0;
    this.#cache = undefined;
    if (changed) {
      this.#audit?.append({
        actor: by,
        source: "chat",
        operator: name,
        decision: "info",
        reason: `operator ${name} reset to its file`,
      });
      this.#onChange?.(name);
    }
    return changed;
  }

  #all(): Map<string, Operator> {
    if (this.#cache) return this.#cache;
    const all = new Map(this.#defaults);
    const rows = this.#db.prepare("SELECT name, fields FROM operator_overrides").all() as {
      name: string;
      fields: string;
    }[];
    for (const row of rows) {
      const base = this.#defaults.get(row.name);
      try {
        const merged: Record<string, unknown> = {
          ...(base ? toFields(base) : {}),
          ...JSON.parse(row.fields),
        };
        if (merged.model === null) delete merged.model;
        all.set(row.name, parseOperator({ ...merged, name: row.name }, this.#dataDir));
      } catch {
        // An edit that no longer validates (e.g. the YAML changed under it) leaves the file's version in force.
      }
    }
    this.#cache = all;
    return all;
  }

  #overrideRow(name: string): { fields: string } | undefined {
    return this.#db.prepare("SELECT fields FROM operator_overrides WHERE name = ?").get(name) as
      | { fields: string }
      | undefined;
  }

  #overrideFields(name: string): Record<string, unknown> {
    const row = this.#overrideRow(name);
    return row ? (JSON.parse(row.fields) as Record<string, unknown>) : {};
  }
}

function toFields(op: Operator): OperatorFields {
  return {
    name: op.name,
    description: op.description,
    systemPrompt: op.systemPrompt,
    ...(op.model ? { model: { ...op.model } } : {}),
    tools: [...op.tools],
    ceiling: op.ceiling,
    trust: op.trust,
    workingDirectory: op.workingDirectory,
  };
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
