import type { hostsV1 } from "@proximity/proto";
import type { ExtendedProxmoxClient } from "@proximity/proxmox";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createHostSessions, type HostCredentials, type HostRecord } from "./host-sessions.js";

/** A record as the hosts service answers it; `changes` stand for an update of the host. */
function record(changes: Partial<hostsV1.Host> = {}): HostRecord {
  return {
    host: {
      id: "h1",
      address: "10.0.0.1",
      port: 8006,
      updatedAt: new Date("2026-12-01T00:00:00Z"),
      ...changes,
    } as hostsV1.Host,
    apiSecretName: "hosts/h1/api",
    sshSecretName: "hosts/h1/ssh",
    tlsCaPem: "",
  };
}

/** Opens fake clients, counting openings and which clients were closed. */
function opener() {
  const closed: number[] = [];
  let opened = 0;
  const open = vi.fn(async (): Promise<HostCredentials> => {
    const n = ++opened;
    const pve = { n, close: async () => void closed.push(n) } as unknown as ExtendedProxmoxClient;
    return { pve, sshAuth: { kind: "password", password: `pw${n}` } };
  });
  return { open, closed };
}
const idOf = (c: HostCredentials) => (c.pve as unknown as { n: number }).n;

describe("host sessions", () => {
  afterEach(() => vi.useRealTimers());

  it("reads the credentials once for operations on an unchanged host", async () => {
    const sessions = createHostSessions({ ttlMs: 60_000 });
    const { open, closed } = opener();
    const a = await sessions.acquire(record(), open);
    await a.release();
    const b = await sessions.acquire(record(), open);
    expect(open).toHaveBeenCalledTimes(1);
    expect(idOf(b)).toBe(idOf(a));
    expect([a.reused, b.reused]).toEqual([false, true]);
    await b.release();
    expect(closed).toEqual([]);
    await sessions.close();
  });

  it("shares one opening between concurrent operations", async () => {
    const sessions = createHostSessions({ ttlMs: 60_000 });
    const { open } = opener();
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => sessions.acquire(record(), open)));
    expect(open).toHaveBeenCalledTimes(1);
    expect(new Set([a, b, c].map((s) => idOf(s!))).size).toBe(1);
    await sessions.close();
  });

  it("reads them again when the host's record changed, closing the old client after its last user", async () => {
    const sessions = createHostSessions({ ttlMs: 60_000 });
    const { open, closed } = opener();
    const before = await sessions.acquire(record(), open);
    const after = await sessions.acquire(record({ updatedAt: new Date("2026-12-02T00:00:00Z") }), open);
    expect(open).toHaveBeenCalledTimes(2);
    expect(idOf(after)).not.toBe(idOf(before));
    expect(closed).toEqual([]); // still in use by the first operation
    await before.release();
    expect(closed).toEqual([idOf(before)]);
    // Another secret name (a re-registration) is a change as well.
    await after.release();
    await sessions.acquire(
      { ...record({ updatedAt: new Date("2026-12-02T00:00:00Z") }), sshSecretName: "x" },
      open,
    );
    expect(open).toHaveBeenCalledTimes(3);
    await sessions.close();
  });

  it("reads them again after a failed attempt discarded the session", async () => {
    const sessions = createHostSessions({ ttlMs: 60_000 });
    const { open, closed } = opener();
    const failing = await sessions.acquire(record(), open);
    const other = await sessions.acquire(record(), open);
    await failing.release({ discard: true });
    await failing.release({ discard: true }); // idempotent
    expect(closed).toEqual([]); // the other operation still uses it
    const next = await sessions.acquire(record(), open);
    expect(open).toHaveBeenCalledTimes(2);
    expect(idOf(next)).not.toBe(idOf(other));
    await other.release();
    expect(closed).toEqual([idOf(other)]);
    await sessions.close();
  });

  it("reads them again once the session is older than its TTL, and sweeps idle old sessions", async () => {
    vi.useFakeTimers();
    const sessions = createHostSessions({ ttlMs: 10_000 });
    const { open, closed } = opener();
    const first = await sessions.acquire(record(), open);
    await first.release();
    vi.advanceTimersByTime(9_000);
    await (await sessions.acquire(record(), open)).release();
    expect(open).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(6_000); // 15 s old: the sweep closed it with nobody asking
    await vi.waitFor(() => expect(closed).toEqual([idOf(first)]));
    expect(sessions.size()).toBe(0);
    await (await sessions.acquire(record(), open)).release();
    expect(open).toHaveBeenCalledTimes(2);
    await sessions.close();
  });

  it("retires a busy session at the end of its life, closing its client at the last release", async () => {
    vi.useFakeTimers();
    const sessions = createHostSessions({ ttlMs: 10_000 });
    const { open, closed } = opener();
    const busy = await sessions.acquire(record(), open);
    vi.advanceTimersByTime(10_000);
    expect(sessions.size()).toBe(0);
    expect(closed).toEqual([]);
    const next = await sessions.acquire(record(), open);
    expect(idOf(next)).not.toBe(idOf(busy));
    await busy.release();
    expect(closed).toEqual([idOf(busy)]);
    await next.release();
    await sessions.close();
  });

  it("lets an operation whose shared opening failed open its own once", async () => {
    const sessions = createHostSessions({ ttlMs: 60_000 });
    const { open } = opener();
    let refuse!: (err: Error) => void;
    const failing = vi.fn(
      () =>
        new Promise<HostCredentials>((_, reject) => {
          refuse = reject;
        }),
    );
    const first = sessions.acquire(record(), failing);
    const second = sessions.acquire(record(), open); // joins the first one's opening
    refuse(new Error("deadline exceeded"));
    await expect(first).rejects.toThrow("deadline exceeded");
    const own = await second;
    expect(own.reused).toBe(false);
    expect(open).toHaveBeenCalledTimes(1);
    await own.release();
    await sessions.close();
  });

  it("join: the session open for this very record, or none (it never opens one)", async () => {
    const sessions = createHostSessions({ ttlMs: 60_000 });
    const { open } = opener();
    expect(await sessions.join(record())).toBeUndefined();
    const opened = await sessions.acquire(record(), open);
    const joined = await sessions.join(record());
    expect(joined && idOf(joined)).toBe(idOf(opened));
    expect(joined?.reused).toBe(true);
    // A record of the host as changed since has no session yet.
    expect(await sessions.join(record({ updatedAt: new Date("2026-12-02T00:00:00Z") }))).toBeUndefined();
    expect(open).toHaveBeenCalledTimes(1);
    await opened.release();
    await joined?.release();
    await sessions.close();
  });

  it("join: a record older than the open session's leaves that session alone", async () => {
    const sessions = createHostSessions({ ttlMs: 60_000 });
    const { open, closed } = opener();
    const newer = record({ updatedAt: new Date("2026-12-02T00:00:00Z") });
    const opened = await sessions.acquire(newer, open);
    expect(await sessions.join(record())).toBeUndefined();
    await (await sessions.acquire(newer, open)).release();
    expect(open).toHaveBeenCalledTimes(1);
    expect(closed).toEqual([]);
    await opened.release();
    await sessions.close();
  });

  it("join: a session retired while it opened is not handed out", async () => {
    const sessions = createHostSessions({ ttlMs: 60_000 });
    let finishOpening!: () => void;
    const opening = new Promise<void>((resolve) => {
      finishOpening = resolve;
    });
    const { open } = opener();
    const slowOpen = vi.fn(async () => {
      await opening;
      return open();
    });
    const opener1 = sessions.acquire(record(), slowOpen);
    const joiner = sessions.join(record());
    sessions.retire("h1"); // the host changed while its credentials were being read
    finishOpening();
    expect(await joiner).toBeUndefined();
    await (await opener1).release();
    await sessions.close();
  });

  it("retire: the host's session is not joined again and its client closes once unused", async () => {
    const sessions = createHostSessions({ ttlMs: 60_000 });
    const { open, closed } = opener();
    const busy = await sessions.acquire(record(), open);
    sessions.retire("h1");
    sessions.retire("no-such-host");
    expect(await sessions.join(record())).toBeUndefined();
    expect(closed).toEqual([]);
    await busy.release();
    expect(closed).toEqual([idOf(busy)]);
    await sessions.close();
  });

  it("does not keep a failed opening", async () => {
    const sessions = createHostSessions({ ttlMs: 60_000 });
    const { open } = opener();
    const refused = vi.fn(async (): Promise<HostCredentials> => {
      throw new Error("secrets service unavailable");
    });
    await expect(sessions.acquire(record(), refused)).rejects.toThrow("secrets service unavailable");
    expect(sessions.size()).toBe(0);
    await (await sessions.acquire(record(), open)).release();
    expect(open).toHaveBeenCalledTimes(1);
    await sessions.close();
  });

  it("closes idle clients on close, busy ones at their release, and refuses new operations", async () => {
    const sessions = createHostSessions({ ttlMs: 60_000 });
    const { open, closed } = opener();
    const busy = await sessions.acquire(record(), open);
    const idle = await sessions.acquire(record({ id: "h2" }), open);
    await idle.release();
    await sessions.close();
    expect(closed).toEqual([idOf(idle)]);
    await busy.release();
    expect(closed).toEqual([idOf(idle), idOf(busy)]);
    await expect(sessions.acquire(record(), open)).rejects.toThrow("closed");
  });
});
