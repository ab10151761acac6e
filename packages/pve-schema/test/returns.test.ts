import { describe, expect, it } from "vitest";
import { checkReturns } from "../src/index.js";

describe("checkReturns", () => {
  it("checkReturns - accepts conforming data", () => {
    expect(checkReturns("GET", "/nodes/pve1/lxc", [{ vmid: 100, status: "running" }])).toEqual([]);
    expect(checkReturns("GET", "/cluster/nextid", 100)).toEqual([]);
  });

  it("checkReturns - flags wrong types, enums and missing required properties", () => {
    expect(checkReturns("GET", "/nodes/pve1/lxc", [{ vmid: "100", status: "running" }]).join()).toContain(
      "data[0].vmid: expected integer",
    );
    expect(checkReturns("GET", "/nodes/pve1/lxc", [{ vmid: 100, status: "paused" }]).join()).toContain(
      "expected one of",
    );
    expect(checkReturns("GET", "/nodes/pve1/lxc", [{ status: "running" }])).toEqual([
      "data[0].vmid: required property missing",
    ]);
    expect(checkReturns("GET", "/nodes/pve1/lxc", { vmid: 100 }).join()).toContain("expected array");
    expect(checkReturns("GET", "/cluster/nextid", "100")).toHaveLength(1);
    expect(checkReturns("PUT", "/nodes/pve1/lxc/100/config", "x").join()).toContain("expected null");
  });

  it("checkReturns - an endpoint the schema lacks is a problem", () => {
    expect(checkReturns("GET", "/nodes/pve1/lxc/100/nonsense", {})).toEqual([
      "GET /nodes/pve1/lxc/100/nonsense is not in the schema",
    ]);
  });
});
