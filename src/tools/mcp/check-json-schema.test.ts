import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkJsonSchema } from "./check-json-schema.ts";

describe("checkJsonSchema", () => {
  const schema = {
    type: "object",
    required: ["path"],
    properties: {
      path: { type: "string" },
      count: { type: "integer" },
      mode: { enum: ["a", "b"] },
      edits: {
        type: "array",
        items: { type: "object", required: ["oldText"], properties: { oldText: { type: "string" } } },
      },
    },
  };

  it("accepts valid arguments", () => {
    checkJsonSchema({ path: "x", count: 2, mode: "a", edits: [{ oldText: "y" }] }, schema);
  });

  it("names the bad field", () => {
    assert.throws(() => checkJsonSchema({}, schema), /^Error: args\.path: required$/);
    assert.throws(() => checkJsonSchema({ path: 1 }, schema), /args\.path: expected string, got number/);
    assert.throws(() => checkJsonSchema({ path: "x", count: 1.5 }, schema), /args\.count: expected integer/);
    assert.throws(
      () => checkJsonSchema({ path: "x", mode: "c" }, schema),
      /args\.mode: must be one of "a", "b"/,
    );
    assert.throws(
      () => checkJsonSchema({ path: "x", edits: [{}] }, schema),
      /args\.edits\[0\]\.oldText: required/,
    );
    assert.throws(() => checkJsonSchema([], schema), /args: expected object, got array/);
    assert.throws(
      () => checkJsonSchema({ path: "x", extra: 1 }, { ...schema, additionalProperties: false }),
      /args\.extra: not allowed/,
    );
  });
});
