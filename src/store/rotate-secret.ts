// `vigil secrets rotate`: re-seals every credential stored at rest under a new VIGIL_SECRET,
// in one transaction, so a failure leaves everything under the old secret.

import type { Db } from "./open-database.ts";
import type { SecretBox } from "./secret-box.ts";

/** Every sealed column in the database, with the associated data its values were sealed with. */
const SEALED_COLUMNS: readonly {
  table: string;
  key: string;
  column: string;
  aad: (key: string) => string;
}[] = [
  { table: "meta", key: "key", column: "value", aad: () => "" },
  { table: "llm_providers", key: "name", column: "api_key_sealed", aad: (name) => `llm-provider:${name}` },
];

const isSealed = (v: unknown): v is string => typeof v === "string" && v.startsWith("v1:");

/** Re-seals every value; returns how many were re-sealed. Throws (and changes nothing) if one does not open. */
export function rotateSecret(db: Db, from: SecretBox, to: SecretBox): number {
  const tables = new Set(
    (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
      (r) => r.name,
    ),
  );
  let count = 0;
  db.transaction(() => {
    for (const { table, key, column, aad } of SEALED_COLUMNS) {
      if (!tables.has(table)) continue;
      const rows = db.prepare(`SELECT ${key} AS k, ${column} AS v FROM ${table}`).all() as {
        k: string;
        v: unknown;
      }[];
      const update = db.prepare(`UPDATE ${table} SET ${column} = ? WHERE ${key} = ?`);
      for (const { k, v } of rows) {
        if (!isSealed(v)) continue;
        update.run(to.seal(from.open(v, `${table}.${column} of ${k}`, aad(k)), aad(k)), k);
        count++;
      }
    }
  })();
  return count;
}
