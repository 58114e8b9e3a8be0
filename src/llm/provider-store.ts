// Providers added by admin command, kept in SQLite with the API key sealed at rest
// (SecretBox under VIGIL_SECRET); the rest of the config is plain JSON.

import type { Db } from "../store/open-database.ts";
import { type ProviderConfig, providerConfigSchema } from "./provider-config.ts";

/** What the store needs from SecretBox. */
export interface Sealer {
  seal(plaintext: string, associatedData?: string): string;
  open(sealed: string, what: string, associatedData?: string): string;
}

interface Row {
  name: string;
  config_json: string;
  api_key_sealed: string | null;
}

export class ProviderStore {
  readonly #db: Db;
  readonly #box: Sealer;

  constructor({ db, box }: { db: Db; box: Sealer }) {
    this.#db = db;
    this.#box = box;
  }

  /** Adds or replaces a provider; its key is sealed before it reaches the database. */
  save(provider: ProviderConfig): void {
    const parsed = providerConfigSchema.parse(provider);
    const { apiKey, ...rest } = parsed;
    const sealed = apiKey === undefined ? null : this.#box.seal(apiKey, aad(parsed.name));
    this.#db
      .prepare(
        `INSERT INTO llm_providers (name, config_json, api_key_sealed, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET config_json = excluded.config_json,
           api_key_sealed = excluded.api_key_sealed, updated_at = excluded.updated_at`,
      )
      .run(parsed.name, JSON.stringify(rest), sealed, new Date().toISOString());
  }

  get(name: string): ProviderConfig | undefined {
    const row = this.#db.prepare("SELECT * FROM llm_providers WHERE name = ?").get(name) as Row | undefined;
    return row === undefined ? undefined : this.#fromRow(row);
  }

  list(): ProviderConfig[] {
    const rows = this.#db.prepare("SELECT * FROM llm_providers ORDER BY name").all() as Row[];
    return rows.map((row) => this.#fromRow(row));
  }

  remove(name: string): boolean {
    return this.#db.prepare("DELETE FROM llm_providers WHERE name = ?").run(name).changes > 0;
  }

  #fromRow(row: Row): ProviderConfig {
    const config = JSON.parse(row.config_json) as ProviderConfig;
    if (row.api_key_sealed === null) return config;
    const apiKey = this.#box.open(row.api_key_sealed, `the API key of provider ${row.name}`, aad(row.name));
    return { ...config, apiKey };
  }
}

function aad(name: string): string {
  return `llm-provider:${name}`;
}
