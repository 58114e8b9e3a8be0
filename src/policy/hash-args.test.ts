// Canonical JSON and the argument hash: key order must not matter, any value change must.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canonicalJson, hashArgs } from "./hash-args.ts";

describe("canonical JSON", () => {
  it("sorts keys at every depth", () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } }),
      '{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}',
    );
  });

  it("hashes the same arguments the same whatever their key order", () => {
    assert.equal(hashArgs({ host: "web", cmd: "ls" }), hashArgs({ cmd: "ls", host: "web" }));
    assert.match(hashArgs({}), /^[0-9a-f]{64}$/);
  });

  it("hashes any changed value, type or nesting differently", () => {
    const base = hashArgs({ host: "web", n: 1, list: ["a", "b"] });
    for (const other of [
      { host: "web2", n: 1, list: ["a", "b"] },
      { host: "web", n: "1", list: ["a", "b"] },
      { host: "web", n: 1, list: ["b", "a"] },
      { host: "web", n: 1, list: ["a", "b"], extra: true },
      { host: "web", n: 1, list: "a,b" },
    ]) {
      assert.notEqual(hashArgs(other), base, JSON.stringify(other));
    }
  });

  it("refuses values JSON cannot represent", () => {
    assert.throws(() => canonicalJson(undefined), TypeError);
  });
});
