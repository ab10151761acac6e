import { describe, expect, it } from "vitest";
import { findMethod, matchEndpoint } from "../src/index.js";

describe("matchEndpoint", () => {
  it("matchEndpoint - prefers literal segments and decodes path parameters", () => {
    const m = matchEndpoint("/nodes/pve1/storage/local/content/local%3Abackup%2Fa.tar.zst");
    expect(m?.node.path).toBe("/nodes/{node}/storage/{storage}/content/{volume}");
    expect(m?.pathParams.volume).toBe("local:backup/a.tar.zst");
    expect(matchEndpoint("/nodes/pve1/lxc/101/status/current")?.node.path).toBe(
      "/nodes/{node}/lxc/{vmid}/status/current",
    );
    expect(matchEndpoint("/nodes/pve1/lxc/101/snapshot/s1/rollback")?.pathParams).toEqual({
      node: "pve1",
      vmid: "101",
      snapname: "s1",
    });
  });

  it("findMethod - resolves a method, undefined for unknown paths or methods", () => {
    expect(findMethod("POST", "/nodes/pve1/lxc/100/status/start")).toBeDefined();
    expect(findMethod("GET", "/cluster/nextid?vmid=100")).toBeDefined();
    expect(findMethod("GET", "/nodes/pve1/lxc/100/nonsense")).toBeUndefined();
    expect(findMethod("PATCH", "/version")).toBeUndefined();
  });
});
