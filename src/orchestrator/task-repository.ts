// Tasks in SQLite: each request an operator handles, its steps (model turns and tool calls
// with redacted outputs), tokens used and outcome, so it can be listed, inspected and re-run.

import { randomBytes } from "node:crypto";
import type { MessageRef } from "../core/chat-adapter.ts";
import type { Db } from "../store/open-database.ts";
import type { Requester, ToolOutcomeStatus } from "./tool-invoker.ts";

export type TaskStatus = "running" | "finished" | "stopped" | "failed" | "interrupted";
export type TaskKind = "agent" | "tool";

export type TaskStep =
  | {
      readonly kind: "model";
      readonly text: string;
      readonly toolCalls: readonly { readonly name: string; readonly arguments: string }[];
      readonly tokens: number;
      readonly at: string;
    }
  | {
      readonly kind: "tool";
      readonly tool: string;
      /** Arguments as JSON, redacted. */
      readonly arguments: string;
      readonly status: ToolOutcomeStatus;
      /** Redacted output. */
      readonly output: string;
      readonly at: string;
    };

export interface TaskRecord {
  readonly id: string;
  readonly sessionId: string;
  readonly operator: string;
  readonly kind: TaskKind;
  readonly request: string;
  readonly tool: string | null;
  /** Raw arguments of a direct tool run, as typed. */
  readonly args: unknown;
  readonly requester: Requester;
  readonly status: TaskStatus;
  readonly steps: readonly TaskStep[];
  readonly tokens: number;
  readonly result: string | null;
  readonly cardRef: MessageRef | null;
  readonly createdAt: string;
  readonly finishedAt: string | null;
}

interface TaskRow {
  id: string;
  session_id: string;
  operator: string;
  kind: TaskKind;
  request: string;
  tool: string | null;
  args: string | null;
  requester: string;
  status: TaskStatus;
  steps: string;
  tokens: number;
  result: string | null;
  card_ref: string | null;
  created_at: string;
  finished_at: string | null;
}

const toTask = (r: TaskRow): TaskRecord => ({
  id: r.id,
  sessionId: r.session_id,
  operator: r.operator,
  kind: r.kind,
  request: r.request,
  tool: r.tool,
  args: r.args === null ? null : JSON.parse(r.args),
  requester: JSON.parse(r.requester),
  status: r.status,
  steps: JSON.parse(r.steps),
  tokens: r.tokens,
  result: r.result,
  cardRef: r.card_ref === null ? null : JSON.parse(r.card_ref),
  createdAt: r.created_at,
  finishedAt: r.finished_at,
});

export interface NewTask {
  readonly sessionId: string;
  readonly operator: string;
  readonly kind: TaskKind;
  readonly request: string;
  readonly tool?: string;
  readonly args?: unknown;
  readonly requester: Requester;
  /** Tokens already spent for this task (e.g. routing by model). */
  readonly tokens?: number;
}

export class TaskRepository {
  readonly #db: Db;
  readonly #insert;
  readonly #get;
  readonly #appendStep;
  readonly #setCard;
  readonly #finish;
  readonly #spent;

  constructor({ db }: { db: Db }) {
    this.#db = db;
    this.#insert = db.prepare(
      `INSERT INTO tasks (id, session_id, operator, kind, request, tool, args, requester, status, tokens, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?)`,
    );
    this.#get = db.prepare<[string], TaskRow>("SELECT * FROM tasks WHERE id = ?");
    this.#appendStep = db.prepare(
      "UPDATE tasks SET steps = json_insert(steps, '$[#]', json(?)), tokens = tokens + ? WHERE id = ?",
    );
    this.#setCard = db.prepare("UPDATE tasks SET card_ref = ? WHERE id = ?");
    this.#finish = db.prepare(
      "UPDATE tasks SET status = ?, result = ?, finished_at = ? WHERE id = ? AND status = 'running'",
    );
    this.#spent = db.prepare<[string], { n: number | null }>(
      "SELECT sum(tokens) AS n FROM tasks WHERE session_id = ?",
    );
  }

  create(task: NewTask): TaskRecord {
    const id = `t${randomBytes(4).toString("hex")}`;
    this.#insert.run(
      id,
      task.sessionId,
      task.operator,
      task.kind,
      task.request,
      task.tool ?? null,
      task.args === undefined ? null : JSON.stringify(task.args),
      JSON.stringify(task.requester),
      task.tokens ?? 0,
      new Date().toISOString(),
    );
    return this.get(id) as TaskRecord;
  }

  get(id: string): TaskRecord | undefined {
    const row = this.#get.get(id);
    return row && toTask(row);
  }

  /** Appends one step and adds its tokens to the task (and so to its session's spend). */
  addStep(id: string, step: TaskStep, tokens = 0): void {
    this.#appendStep.run(JSON.stringify(step), tokens, id);
  }

  setCard(id: string, ref: MessageRef): void {
    this.#setCard.run(JSON.stringify(ref), id);
  }

  /** Ends a running task; a task already ended keeps its first outcome. Returns whether it changed. */
  finish(id: string, status: Exclude<TaskStatus, "running">, result: string | null): boolean {
    return this.#finish.run(status, result, new Date().toISOString(), id).changes > 0;
  }

  /** Tokens spent by every task of a session. */
  spent(sessionId: string): number {
    return this.#spent.get(sessionId)?.n ?? 0;
  }

  /** Tasks by status (newest first), optionally in one session. */
  list({
    status,
    sessionId,
    limit = 20,
  }: {
    status?: TaskStatus;
    sessionId?: string;
    limit?: number;
  } = {}): TaskRecord[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (status) {
      where.push("status = ?");
      params.push(status);
    }
    if (sessionId) {
      where.push("session_id = ?");
      params.push(sessionId);
    }
    const sql = `SELECT * FROM tasks ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY created_at DESC, rowid DESC LIMIT ?`;
    return (this.#db.prepare(sql).all(...params, limit) as TaskRow[]).map(toTask);
  }

  /** The platform and conversation a task's thread is in. */
  sessionOf(id: string): { platform: string; conversation: string } | undefined {
    return this.#db
      .prepare(
        "SELECT s.platform, s.conversation FROM tasks t JOIN sessions s ON s.id = t.session_id WHERE t.id = ?",
      )
      .get(id) as { platform: string; conversation: string } | undefined;
  }

  /** Platform message ids of the task cards in a session, kept out of the model's context. */
  cardMessageIds(sessionId: string): Set<string> {
    const rows = this.#db
      .prepare("SELECT card_ref FROM tasks WHERE session_id = ? AND card_ref IS NOT NULL")
      .all(sessionId) as { card_ref: string }[];
    return new Set(rows.map((r) => (JSON.parse(r.card_ref) as MessageRef).messageId));
  }

  /** At start: tasks left running by a previous process can no longer finish. Returns them. */
  markInterrupted(): TaskRecord[] {
    return this.#db
      .transaction(() => {
        const rows = this.#db.prepare("SELECT * FROM tasks WHERE status = 'running'").all() as TaskRow[];
        this.#db
          .prepare(
            "UPDATE tasks SET status = 'interrupted', result = 'Vigil restarted while this task ran', finished_at = ? WHERE status = 'running'",
          )
          .run(new Date().toISOString());
        return rows.map(toTask);
      })
      .immediate();
  }
}
