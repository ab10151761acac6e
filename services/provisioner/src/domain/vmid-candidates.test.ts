import { describe, expect, it } from "vitest";
import { MAX_VMID, vmidCandidates } from "./vmid-candidates.js";

describe("vmidCandidates", () => {
  it("vmidCandidates - starts at the suggestion and counts upwards", () => {
    expect([...vmidCandidates(104, () => false, 3)]).toEqual([104, 105, 106]);
  });

  it("vmidCandidates - skips every taken id, including the suggestion itself", () => {
    const taken = new Set([100, 101, 103]);
    expect([...vmidCandidates(100, (id) => taken.has(id), 3)]).toEqual([102, 104, 105]);
  });

  it("vmidCandidates - never goes below 100 (ids under 100 are invalid in Proxmox)", () => {
    expect([...vmidCandidates(7, (id) => id === 100, 2)]).toEqual([101, 102]);
  });

  it("vmidCandidates - stops at the highest valid VMID", () => {
    expect([...vmidCandidates(MAX_VMID - 1, (id) => id === MAX_VMID - 1, 5)]).toEqual([MAX_VMID]);
  });

  it("vmidCandidates - asks about an id only when the walk reaches it", () => {
    const claimed = new Set<number>();
    const walk = vmidCandidates(100, (id) => claimed.has(id), 3);
    expect(walk.next().value).toBe(100);
    claimed.add(101); // another placement claimed it meanwhile
    expect([...walk]).toEqual([102, 103]);
  });
});
