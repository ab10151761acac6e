import { describe, expect, it } from "vitest";
import { checkParams, checkRequest } from "../src/index.js";

const create = (params: Record<string, string>) =>
  checkParams("POST", "/nodes/pve1/lxc", {
    vmid: "101",
    ostemplate: "local:vztmpl/x.tar.zst",
    ...params,
  }).join("\n");

describe("checkRequest", () => {
  it("checkRequest - accepts a well-formed create", () => {
    expect(create({ net0: "name=eth0,bridge=vmbr0,ip=dhcp", start: "1", cores: "2" })).toBe("");
  });

  it("checkRequest - rejects unknown paths, methods and parameters", () => {
    expect(checkRequest({ method: "GET", path: "/nodes/pve1/lxc/101/exec", params: {} }).join()).toContain(
      "path not in schema",
    );
    expect(checkRequest({ method: "PUT", path: "/version", params: {} }).join()).toContain(
      "method not declared",
    );
    expect(create({ colour: "red" })).toContain("'colour' is not declared");
  });

  it("checkRequest - rejects wrong types, ranges, enums, lengths and formats", () => {
    expect(create({ cores: "two" })).toContain("not an integer");
    expect(create({ start: "true" })).toContain("0/1 boolean");
    expect(create({ memory: "8" })).toContain("minimum");
    expect(create({ arch: "sparc" })).toContain("not in enum");
    expect(create({ vmid: "99" })).toContain("minimum");
    expect(create({ net0: "name=eth0,bridgez=vmbr0" })).toContain("not declared in the format");
    expect(create({ net0: "name=eth0,tag=9999" })).toContain("maximum");
    expect(checkParams("GET", "/nodes/bad_node!/lxc", {}).join()).toContain("pve-node");
    expect(
      checkParams("POST", "/nodes/pve1/lxc/101/snapshot", { snapname: "a".repeat(41) }).join(),
    ).toContain("longer than 40");
    expect(
      checkParams("POST", "/nodes/pve1/lxc/101/clone", { newid: "102", hostname: "bad_name" }).join(),
    ).toContain("dns-name");
    expect(checkParams("GET", "/cluster/resources", { type: "qemu" }).join()).toContain("not in enum");
  });

  it("checkRequest - rejects a value that does not match the declared pattern", () => {
    // vzdump's job-id is declared with pattern \S+.
    expect(checkParams("POST", "/nodes/pve1/vzdump", { vmid: "101", "job-id": "a b" }).join()).toContain(
      "does not match",
    );
    expect(checkParams("POST", "/nodes/pve1/vzdump", { vmid: "101", "job-id": "ab" })).toEqual([]);
  });

  it("checkRequest - reports missing required parameters and missing `requires` partners", () => {
    expect(checkParams("POST", "/nodes/pve1/lxc", { vmid: "101" }).join()).toContain(
      "required parameter 'ostemplate' missing",
    );
    expect(
      checkParams("POST", "/nodes/pve1/vzdump", { vmid: "101", "notes-template": "x" }).join(),
    ).toContain("requires 'storage'");
  });
});
