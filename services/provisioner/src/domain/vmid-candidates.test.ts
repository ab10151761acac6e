import { describe, expect, it } from "vitest";
import { MAX_VMID, vmidCandidates } from "./vmid-candidates.js";

describe("vmidCandidates", () => {
  it("vmidCandidates - starts at the suggestion and counts upwards", () => {
    expect(vmidCandidates(104, new Set(), 3)).toEqual([104, 105, 106]);
  });

  it("vmidCandidates - skips every taken id, including the suggestion itself", () => {
    expect(vmidCandidates(100, new Set([100, 101, 103]), 3)).toEqual([102, 104, 105]);
  });

  it("vmidCandidates - never goes below 100 (ids under 100 are invalid in Proxmox)", () => {
    expect(vmidCandidates(7, new Set([100]), 2)).toEqual([101, 102]);
  });

  it("vmidCandidates - stops at the highest valid VMID", () => {
    expect(vmidCandidates(MAX_VMID - 1, new Set([MAX_VMID - 1]), 5)).toEqual([MAX_VMID]);
  });
});
