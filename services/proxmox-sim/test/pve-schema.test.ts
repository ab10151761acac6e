import { describe, expect, it } from "vitest";
import { checkParams, checkReturns, findMethod } from "./support/pve-schema.js";

describe("pve schema checker", () => {
  it("findMethod - resolves concrete paths to templated schema entries", () => {
    expect(findMethod("POST", "/nodes/pve1/lxc/100/status/start")).toBeDefined();
    expect(findMethod("GET", "/cluster/nextid")).toBeDefined();
    expect(findMethod("GET", "/nodes/pve1/lxc/100/nonsense")).toBeUndefined();
  });

  it("checkReturns - flags wrong types and missing required properties", () => {
    expect(checkReturns("GET", "/nodes/pve1/lxc", [{ vmid: 100, status: "running" }])).toEqual([]);
    expect(checkReturns("GET", "/nodes/pve1/lxc", [{ vmid: "100", status: "running" }])).toHaveLength(1);
    expect(checkReturns("GET", "/nodes/pve1/lxc", [{ vmid: 100, status: "paused" }])).toHaveLength(1);
    expect(checkReturns("GET", "/nodes/pve1/lxc", [{ status: "running" }])).toEqual([
      "data[0].vmid: required property missing",
    ]);
    expect(checkReturns("GET", "/cluster/nextid", "100")).toHaveLength(1);
  });

  it("checkParams - flags undeclared names and bad values", () => {
    expect(
      checkParams("POST", "/nodes/pve1/lxc", { vmid: "100", ostemplate: "x", net0: "name=eth0" }),
    ).toEqual([]);
    expect(checkParams("POST", "/nodes/pve1/lxc", { vmid: "100", colour: "red" })).toEqual([
      "parameter colour is not declared",
    ]);
    expect(checkParams("GET", "/cluster/resources", { type: "qemu" })).toEqual(["type: qemu not in enum"]);
    expect(checkParams("POST", "/nodes/pve1/lxc", { start: "true" })).toEqual(["start: boolean must be 0|1"]);
  });
});
