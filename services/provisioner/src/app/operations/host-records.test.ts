import type { hostsV1 } from "@proximity/proto";
import { describe, expect, it, vi } from "vitest";
import { createHostRecords, type HostRecordUse } from "./host-records.js";

/** The hosts service's answer for `hostId`; `address` tells the answers apart. */
function answer(hostId: string, address: string): hostsV1.GetHostConnectionResponse {
  return {
    host: { id: hostId, address } as hostsV1.Host,
    apiSecretName: `hosts/${hostId}/api`,
    sshSecretName: `hosts/${hostId}/ssh`,
    tlsCaPem: "",
  };
}

/** A read of the hosts service answering `addresses` in turn (the last one after that). */
function reader(hostId: string, ...addresses: string[]) {
  let n = 0;
  return vi.fn(async () => answer(hostId, addresses[Math.min(n++, addresses.length - 1)]!));
}

const addressOf = (use: HostRecordUse) => use.record.host?.address;

describe("host records", () => {
  it("reads a host's record once for the operations that follow, per host", async () => {
    const records = createHostRecords({ maxAgeMs: 60_000 });
    const h1 = reader("h1", "10.0.0.1");
    const h2 = reader("h2", "10.0.0.2");
    const first = await records.get("h1", h1);
    const second = await records.get("h1", h1);
    expect([addressOf(first), first.kept]).toEqual(["10.0.0.1", false]);
    expect([addressOf(second), second.kept]).toEqual(["10.0.0.1", true]);
    expect(addressOf(await records.get("h2", h2))).toBe("10.0.0.2");
    expect(h1).toHaveBeenCalledTimes(1);
    expect(h2).toHaveBeenCalledTimes(1);
    expect(records.size()).toBe(2);
  });

  it("reads the record again once it is forgotten (a change of the host, a failed attempt)", async () => {
    const records = createHostRecords({ maxAgeMs: 60_000 });
    const read = reader("h1", "10.0.0.1", "10.0.0.9");
    await records.get("h1", read);
    records.forget("h1");
    expect(addressOf(await records.get("h1", read))).toBe("10.0.0.9");
    expect(addressOf(await records.get("h1", read))).toBe("10.0.0.9");
    expect(read).toHaveBeenCalledTimes(2);
  });

  it("reads the record again when it is maxAgeMs old", async () => {
    let clock = 0;
    const records = createHostRecords({ maxAgeMs: 30_000, now: () => clock });
    const read = reader("h1", "10.0.0.1", "10.0.0.9");
    await records.get("h1", read);
    clock = 29_999;
    expect(addressOf(await records.get("h1", read))).toBe("10.0.0.1");
    clock = 30_000;
    expect(addressOf(await records.get("h1", read))).toBe("10.0.0.9");
    expect(read).toHaveBeenCalledTimes(2);
  });

  it("does not keep an answer read while the host changed: it may predate the change", async () => {
    const records = createHostRecords({ maxAgeMs: 60_000 });
    let answerOld!: () => void;
    const slow = vi.fn(
      () =>
        new Promise<hostsV1.GetHostConnectionResponse>((resolve) => {
          answerOld = () => resolve(answer("h1", "10.0.0.1"));
        }),
    );
    const reading = records.get("h1", slow);
    records.forget("h1"); // HostConnectionChanged arrives while the read is in flight
    answerOld();
    // The operation that read it uses it (it started before the change)...
    expect(addressOf(await reading)).toBe("10.0.0.1");
    // ...but the next one reads again.
    const fresh = reader("h1", "10.0.0.9");
    expect(addressOf(await records.get("h1", fresh))).toBe("10.0.0.9");
    expect(fresh).toHaveBeenCalledTimes(1);
    // A change of another host does not stop this one's record from being kept.
    records.forget("h2");
    expect(addressOf(await records.get("h1", fresh))).toBe("10.0.0.9");
    expect(fresh).toHaveBeenCalledTimes(1);
  });

  it("refresh reads whatever is kept and keeps the answer; an unknown host is no longer kept", async () => {
    const records = createHostRecords({ maxAgeMs: 60_000 });
    await records.get("h1", reader("h1", "10.0.0.1"));
    const refreshed = await records.refresh("h1", reader("h1", "10.0.0.9"));
    expect([addressOf(refreshed), refreshed.kept]).toEqual(["10.0.0.9", false]);
    const next = await records.get("h1", reader("h1", "unused"));
    expect([addressOf(next), next.kept]).toEqual(["10.0.0.9", true]);
    // The host is gone (its event late): the answer is not kept, and neither is the old record.
    await records.refresh("h1", async () => ({ ...answer("h1", ""), host: undefined }));
    expect(records.size()).toBe(0);
  });

  it("of two reads at once, the later one's answer is kept (by their order, not a clock)", async () => {
    const records = createHostRecords({ maxAgeMs: 60_000, now: () => 0 });
    let answerEarlier!: () => void;
    const earlier = records.get(
      "h1",
      () =>
        new Promise<hostsV1.GetHostConnectionResponse>((resolve) => {
          answerEarlier = () => resolve(answer("h1", "10.0.0.1"));
        }),
    );
    await records.get("h1", reader("h1", "10.0.0.9"));
    answerEarlier();
    await earlier;
    expect(addressOf(await records.get("h1", reader("h1", "unused")))).toBe("10.0.0.9");
  });

  it("forget tells whether a record was kept", async () => {
    const records = createHostRecords({ maxAgeMs: 60_000 });
    expect(records.forget("h1")).toBe(false);
    await records.get("h1", reader("h1", "10.0.0.1"));
    expect(records.forget("h1")).toBe(true);
    expect(records.forget("h1")).toBe(false);
  });

  it("keeps no failed read, no unknown host, and nothing with maxAgeMs 0", async () => {
    const records = createHostRecords({ maxAgeMs: 60_000 });
    await expect(
      records.get("h1", async () => {
        throw new Error("hosts service unavailable");
      }),
    ).rejects.toThrow("hosts service unavailable");
    const unknown = vi.fn(async () => ({ ...answer("h1", ""), host: undefined }));
    await records.get("h1", unknown);
    await records.get("h1", unknown);
    expect(unknown).toHaveBeenCalledTimes(2);
    expect(records.size()).toBe(0);

    const none = createHostRecords({ maxAgeMs: 0 });
    const read = reader("h1", "10.0.0.1");
    await none.get("h1", read);
    await none.get("h1", read);
    expect(read).toHaveBeenCalledTimes(2);
    expect(none.size()).toBe(0);
  });
});
