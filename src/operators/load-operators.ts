// Loads the shipped and user operators from a directory of YAML files (one operator per
// file, named after it). Every error names the file and the field to fix.

import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { ErrorCodes, VigilError } from "../core/errors.ts";
import { describeZodError, type Operator, parseOperator } from "./operator.ts";

/** A bad operator file: `file` and `field` say where to look. */
export class OperatorConfigError extends VigilError {
  readonly file: string;
  readonly field: string | undefined;
  constructor(file: string, field: string | undefined, message: string, options?: { cause?: unknown }) {
    super(ErrorCodes.CONFIG_INVALID, `${file}: ${field ? `${field}: ` : ""}${message}`, options);
    this.name = "OperatorConfigError";
    this.file = file;
    this.field = field;
  }
}

/** Reads every `*.yaml` / `*.yml` in `dir`, sorted by file name. A missing directory gives none. */
export function loadOperatorsFromDir(dir: string, { dataDir }: { dataDir: string }): Operator[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const operators: Operator[] = [];
  const seen = new Map<string, string>();
  for (const file of files.sort()) {
    const path = join(dir, file);
    const op = loadOperatorFile(path, dataDir);
    const other = seen.get(op.name);
    if (other)
      throw new OperatorConfigError(path, "name", `operator ${op.name} is already defined in ${other}`);
    seen.set(op.name, path);
    operators.push(op);
  }
  return operators;
}

/** Parses one file; the name defaults to the file's base name and must match it when given. */
export function loadOperatorFile(path: string, dataDir: string): Operator {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, "utf8"));
  } catch (err) {
    throw new OperatorConfigError(path, undefined, `not valid YAML: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw new OperatorConfigError(
      path,
      undefined,
      "expected a mapping of operator fields (name, description, …)",
    );
  }
  const stem = basename(path).replace(/\.ya?ml$/, "");
  const fields = { name: stem, ...(doc as Record<string, unknown>) };
  if (fields.name !== stem) {
    throw new OperatorConfigError(
      path,
      "name",
      `is ${JSON.stringify(fields.name)} but the file is ${basename(path)}; make them match`,
    );
  }
  try {
    return parseOperator(fields, dataDir);
  } catch (err) {
    if (err instanceof z.ZodError) {
      const first = err.issues[0];
      const field = first && first.path.length > 0 ? first.path.map(String).join(".") : undefined;
      throw new OperatorConfigError(path, field, describeZodError(err).replace(/^[^:]*: /, ""), {
        cause: err,
      });
    }
    throw err;
  }
}
