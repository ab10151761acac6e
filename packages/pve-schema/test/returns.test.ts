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

  it("checkReturns - null is a valid answer only where the schema marks the return optional", () => {
    const volume = `/nodes/pve1/storage/local/content/${encodeURIComponent("local:backup/vzdump-lxc-100.tar.zst")}`;
    expect(checkReturns("DELETE", volume, null)).toEqual([]);
    expect(checkReturns("DELETE", volume, "UPID:pve1:x")).toEqual([]);
    expect(checkReturns("GET", "/cluster/nextid", null)).toHaveLength(1);
  });

  it("checkReturns - an endpoint the schema lacks is a problem", () => {
    expect(checkReturns("GET", "/nodes/pve1/lxc/100/nonsense", {})).toEqual([
      "GET /nodes/pve1/lxc/100/nonsense is not in the schema",
    ]);
  });
});
