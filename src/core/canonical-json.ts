// Canonical JSON: object keys sorted, no whitespace, so equal values always hash the same
// (the audit chain and the argument hash an approval binds both rely on it).

/** Serializes `value` with object keys in sorted order; `undefined` members are dropped like JSON.stringify. */
export function canonicalJson(value: unknown): string {
  const json = JSON.stringify(sortKeys(value, 0)) as string | undefined;
  // A bare undefined or function has no JSON form; refuse rather than hash "undefined".
  if (json === undefined) throw new TypeError(`cannot canonicalise a ${typeof value}`);
  return json;
}

function sortKeys(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== "object") return value;
  if (depth > 64) throw new RangeError("value is nested more than 64 levels deep");
  const json = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof json === "function") return sortKeys(json.call(value), depth + 1);
  if (Array.isArray(value)) return value.map((v) => sortKeys(v, depth + 1));
  const keys = Object.keys(value).sort();
  // fromEntries defines own properties, so a "__proto__" key stays data and never becomes the prototype.
  return Object.fromEntries(keys.map((k) => [k, sortKeys((value as Record<string, unknown>)[k], depth + 1)]));
}
