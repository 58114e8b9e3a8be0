// Pins each MCP tool's schema hash. The first sight of a tool pins it (the admin who added
// the server trusted what it offered then); any later change needs an explicit approval.

import type { Db } from "../../store/open-database.ts";

/** What McpServerConnection needs from a pin store; tests may pass a plain object. */
export interface SchemaPins {
  /** Records the hash seen now; pins it when the tool is new. Returns the approved hash. */
  observe(server: string, tool: string, hash: string): string;
  approved(server: string, tool: string): string | undefined;
  approve(server: string, tool: string, hash: string, by?: string): void;
}

/** Pins in SQLite (migration 0040). */
export class McpSchemaStore implements SchemaPins {
  readonly #db: Db;
  readonly #now: () => Date;

  constructor({ db, now = () => new Date() }: { db: Db; now?: () => Date }) {
    this.#db = db;
    this.#now = now;
  }

  observe(server: string, tool: string, hash: string): string {
    const at = this.#now().toISOString();
    this.#db
      .prepare(
        `INSERT INTO mcp_tool_schemas (server, tool, approved_hash, approved_at, seen_hash, seen_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (server, tool) DO UPDATE SET seen_hash = excluded.seen_hash, seen_at = excluded.seen_at`,
      )
      .run(server, tool, hash, at, hash, at);
    return this.approved(server, tool)!;
  }

  approved(server: string, tool: string): string | undefined {
    const row = this.#db
      .prepare("SELECT approved_hash FROM mcp_tool_schemas WHERE server = ? AND tool = ?")
      .get(server, tool) as { approved_hash: string } | undefined;
    return row?.approved_hash;
  }

  approve(server: string, tool: string, hash: string, by?: string): void {
    const at = this.#now().toISOString();
    this.#db
      .prepare(
        `INSERT INTO mcp_tool_schemas (server, tool, approved_hash, approved_at, approved_by, seen_hash, seen_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (server, tool) DO UPDATE SET approved_hash = excluded.approved_hash,
           approved_at = excluded.approved_at, approved_by = excluded.approved_by`,
      )
      .run(server, tool, hash, at, by ?? null, hash, at);
  }
}

/** Pins in memory, for a hub without a store (they reset on restart). */
export class MemorySchemaPins implements SchemaPins {
  readonly #approved = new Map<string, string>();

  observe(server: string, tool: string, hash: string): string {
    const key = `${server}\u0000${tool}`;
    if (!this.#approved.has(key)) this.#approved.set(key, hash);
    return this.#approved.get(key)!;
  }

  approved(server: string, tool: string): string | undefined {
    return this.#approved.get(`${server}\u0000${tool}`);
  }

  approve(server: string, tool: string, hash: string): void {
    this.#approved.set(`${server}\u0000${tool}`, hash);
  }
}
