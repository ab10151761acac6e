import { describe, expect, it, vi } from "vitest";
import { createGuestVmids } from "./guest-vmids.js";

/** A host's listing that counts its calls and answers when told. */
function listing(vmids: number[]) {
  const calls: { resolve: (v: number[]) => void; reject: (e: Error) => void }[] = [];
  return {
    calls,
    list: () =>
      new Promise<readonly number[]>((resolve, reject) => {
        calls.push({ resolve, reject });
      }),
    answer: (i = calls.length - 1) => calls[i]!.resolve(vmids),
  };
}

describe("guest VMIDs shared by placements", () => {
  it("placements at once and within the age share one listing, the one in flight included", async () => {
    let clock = 0;
    const guests = createGuestVmids({ maxAgeMs: 1_000, now: () => clock });
    const host = listing([100, 101]);
    const first = guests.of("h1", host.list);
    const second = guests.of("h1", host.list);
    host.answer();
    expect(await first).toEqual(new Set([100, 101]));
    expect(await second).toBe(await first);
    clock = 999;
    await guests.of("h1", host.list);
    expect(host.calls).toHaveLength(1);
  });

  it("a listing as old as the age is not shared: the next placement lists again", async () => {
    let clock = 0;
    const guests = createGuestVmids({ maxAgeMs: 1_000, now: () => clock });
    const host = listing([100]);
    const first = guests.of("h1", host.list);
    host.answer();
    await first;
    clock = 1_000;
    const again = guests.of("h1", host.list);
    expect(host.calls).toHaveLength(2);
    host.answer();
    expect(await again).toEqual(new Set([100]));
  });

  it("hosts are listed apart; a forgotten host is listed again", async () => {
    const guests = createGuestVmids({ maxAgeMs: 60_000, now: () => 0 });
    const one = listing([100]);
    const two = listing([200]);
    const a = guests.of("h1", one.list);
    const b = guests.of("h2", two.list);
    one.answer();
    two.answer();
    expect([await a, await b]).toEqual([new Set([100]), new Set([200])]);
    guests.forget("h1");
    const c = guests.of("h1", one.list);
    expect(one.calls).toHaveLength(2);
    one.answer();
    await c;
    await guests.of("h2", two.list);
    expect(two.calls).toHaveLength(1);
  });

  it("a failed listing fails its own placement; one that joined it lists with its own connection; none is kept", async () => {
    const guests = createGuestVmids({ maxAgeMs: 60_000, now: () => 0 });
    const host = listing([100]);
    const first = guests.of("h1", host.list);
    const joined = guests.of("h1", host.list);
    host.calls[0]!.reject(new Error("credentials refused"));
    await expect(first).rejects.toThrow("credentials refused");
    // The joiner's own listing (its connection's credentials may be newer than the first's).
    await vi.waitFor(() => expect(host.calls).toHaveLength(2));
    host.answer(1);
    expect(await joined).toEqual(new Set([100]));
    expect(guests.size()).toBe(0);
    const next = guests.of("h1", host.list);
    expect(host.calls).toHaveLength(3);
    host.answer(2);
    expect(await next).toEqual(new Set([100]));
  });

  it("a listing is dropped once too old, so a host no longer placed on keeps nothing", async () => {
    const guests = createGuestVmids({ maxAgeMs: 30 });
    const host = listing([100]);
    const first = guests.of("h1", host.list);
    host.answer();
    await first;
    expect(guests.size()).toBe(1);
    await vi.waitFor(() => expect(guests.size()).toBe(0), { timeout: 2_000 });
  });

  it("an age of 0 shares nothing", async () => {
    const guests = createGuestVmids({ maxAgeMs: 0, now: () => 0 });
    const host = listing([100]);
    const first = guests.of("h1", host.list);
    const second = guests.of("h1", host.list);
    expect(host.calls).toHaveLength(2);
    host.answer(0);
    host.answer(1);
    await Promise.all([first, second]);
  });
});
