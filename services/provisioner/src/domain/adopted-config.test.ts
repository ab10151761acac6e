import { describe, expect, it } from "vitest";
import { diskGb, reportableConfig } from "./adopted-config.js";

describe("adopted config", () => {
  it("reportableConfig - drops secret-looking keys and bookkeeping, stringifies values", () => {
    expect(
      reportableConfig({
        hostname: "web",
        cores: 2,
        "ssh-public-keys": "ssh-ed25519 AAAA",
        password: "x",
        api_token: "y",
        digest: "abc",
        onboot: 1,
      }),
    ).toEqual({ hostname: "web", cores: "2", onboot: "1" });
  });

  it("diskGb - reads the size of the root volume", () => {
    expect(diskGb("local-lvm:vm-100-disk-0,size=8G")).toBe(8);
    expect(diskGb("local:100/vm-100-disk-0.raw,size=1T")).toBe(1024);
    expect(diskGb("local-lvm:vm-100-disk-0")).toBe(0);
  });
});
