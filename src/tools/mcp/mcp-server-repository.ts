// MCP servers added by admin command, kept in SQLite (migration 0045) so they come back after a
// restart. vigil.yaml's servers are not stored: the file stays their source of truth.

import type { Db } from "../../store/open-database.ts";
import { type McpServerConfig, mcpServerConfigSchema } from "./mcp-server-config.ts";

/** One stored server and who added it. */
export interface StoredMcpServer {
  readonly config: McpServerConfig;
  readonly addedBy: string;
  readonly addedAt: string;
}

interface Row {
  name: string;
  config_json: string;
  added_by: string;
  added_at: string;
}

export class McpServerRepository {
  readonly #db: Db;
  readonly #now: () => Date;

  constructor({ db, now = () => new Date() }: { db: Db; now?: () => Date }) {
    this.#db = db;
    this.#now = now;
  }

  /**
   * Stores a server; refuses a name already stored. Headers and env may carry credentials, which
   * this table keeps in the clear, so servers that need them belong in vigil.yaml.
   */
  add(config: McpServerConfig, addedBy: string): StoredMcpServer {
    const parsed = mcpServerConfigSchema.parse(config);
    if (parsed.headers !== undefined || parsed.env !== undefined) {
      throw new Error(
        `mcp server ${parsed.name}: headers and env may hold credentials; configure this server in vigil.yaml`,
      );
    }
    const addedAt = this.#now().toISOString();
    const changes = this.#db
      .prepare(
        "INSERT INTO mcp_servers (name, config_json, added_by, added_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
      )
      .run(parsed.name, JSON.stringify(parsed), addedBy, addedAt).changes;
    if (changes === 0) throw new Error(`an mcp server named ${parsed.name} is already stored`);
    return { config: parsed, addedBy, addedAt };
  }

  get(name: string): StoredMcpServer | undefined {
    const row = this.#db.prepare("SELECT * FROM mcp_servers WHERE name = ?").get(name) as Row | undefined;
    return row === undefined ? undefined : fromRow(row);
  }

  list(): StoredMcpServer[] {
    return (this.#db.prepare("SELECT * FROM mcp_servers ORDER BY name").all() as Row[]).map(fromRow);
  }

  remove(name: string): boolean {
    return this.#db.prepare("DELETE FROM mcp_servers WHERE name = ?").run(name).changes > 0;
  }
}

/**
 * The servers to pass to `new McpHub({ servers })`: vigil.yaml's, then those added by command.
 * A stored server whose name vigil.yaml now uses is skipped (the file wins), so start never trips
 * over a duplicate.
 */
export function loadMcpServers({
  db,
  configured = [],
}: {
  db: Db;
  configured?: readonly McpServerConfig[];
}): McpServerConfig[] {
  const names = new Set(configured.map((c) => c.name));
  const stored = new McpServerRepository({ db })
    .list()
    .map((s) => s.config)
    .filter((c) => !names.has(c.name));
  return [...configured, ...stored];
}

function fromRow(row: Row): StoredMcpServer {
  return {
    config: JSON.parse(row.config_json) as McpServerConfig,
    addedBy: row.added_by,
    addedAt: row.added_at,
  };
}
