import { describe, expect, it } from "vitest";
import { makeHost } from "../../../test/fixtures";
import { checkOutcome } from "./host-check";

const since = "2025-05-01T10:00:00Z";

describe("host check outcome", () => {
  it("waits until a check newer than the request lands on the host", () => {
    const host = makeHost({ last_checked_at: since });
    expect(checkOutcome(host, { kind: "test", since }, false).state).toBe("waiting");
    expect(checkOutcome(host, { kind: "test", since }, true).state).toBe("late");
  });

  it("says the connection works, with the Proxmox version", () => {
    const host = makeHost({ last_checked_at: "2025-05-01T10:01:00Z" });
    expect(checkOutcome(host, { kind: "test", since }, false)).toEqual({
      state: "ok",
      message: "The connection works: Proxmox VE 8.4.1 answered.",
    });
    expect(checkOutcome(host, { kind: "sync", since }, false).message).toBe("Nodes refreshed: pve1 online.");
  });

  it("says why the connection failed", () => {
    const host = makeHost({
      last_checked_at: "2025-05-01T10:01:00Z",
      status: "unreachable",
      last_check_error: "the certificate does not match the pinned fingerprint",
    });
    expect(checkOutcome(host, { kind: "test", since }, false)).toEqual({
      state: "failed",
      message: "The connection failed: the certificate does not match the pinned fingerprint.",
    });
  });
});
