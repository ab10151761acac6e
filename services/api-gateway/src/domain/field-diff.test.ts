import { describe, expect, it } from "vitest";
import { fieldDiff } from "./field-diff.js";

describe("field-diff - what an admin change changed", () => {
  it("field-diff - an update lists only the fields that differ, with before and after", () => {
    const before = { username: "bob", is_admin: false, nodes: [{ name: "pve1", ssh_port: 22 }] };
    const after = { username: "bob", is_admin: true, nodes: [{ name: "pve1", ssh_port: 22 }] };
    expect(fieldDiff(before, after)).toEqual([{ field: "is_admin", before: false, after: true }]);
    const moved = { ...after, nodes: [{ name: "pve1", ssh_port: 2222 }] };
    expect(fieldDiff(after, moved)).toEqual([
      { field: "nodes", before: [{ name: "pve1", ssh_port: 22 }], after: [{ name: "pve1", ssh_port: 2222 }] },
    ]);
  });

  it("field-diff - a create has only after values, a delete only before values", () => {
    expect(fieldDiff(null, { username: "bob", tls: null })).toEqual([
      { field: "username", after: "bob" },
      { field: "tls", after: null },
    ]);
    expect(fieldDiff({ username: "bob" }, null)).toEqual([{ field: "username", before: "bob" }]);
  });

  it("field-diff - secret fields are named, never valued", () => {
    const changes = fieldDiff({ a: 1 }, { a: 1 }, ["password"]);
    expect(changes).toEqual([{ field: "password", secret: true }]);
    expect(changes[0]).not.toHaveProperty("before");
    expect(changes[0]).not.toHaveProperty("after");
  });
});
