import { ConflictError } from "@proximity/errors";
import type { hostsV1 } from "@proximity/proto";
import { describe, expect, it, vi } from "vitest";
import { placementAnswersShared } from "../metrics.js";
import type { PlacementClient } from "./resolve-placement.js";
import { sharePlacements } from "./shared-placements.js";

type Request = hostsV1.ResolvePlacementRequest;
type Response = hostsV1.ResolvePlacementResponse;

/** A hosts service that records each call and answers when told. */
function hostsService() {
  const calls: {
    request: Request;
    traceparent: string | undefined;
    resolve: (r: Response) => void;
    reject: (e: Error) => void;
  }[] = [];
  const client: PlacementClient = {
    resolvePlacement: (request, options) =>
      new Promise<Response>((resolve, reject) => {
        calls.push({ request, traceparent: options.traceparent, resolve, reject });
      }),
  };
  return {
    client,
    calls,
    answer: (response: Response, i = calls.length - 1) => calls[i]!.resolve(response),
    fail: (err: Error, i = calls.length - 1) => calls[i]!.reject(err),
  };
}

const auto = { hostId: "", node: "" };
const call = { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" };
const h1pve1 = { hostId: "h1", node: "pve1" };

describe("placements shared by a replica", () => {
  it("placements at once and within the age share one answer, the call in flight included", async () => {
    let clock = 0;
    const hosts = hostsService();
    const shared = sharePlacements(hosts.client, { maxAgeMs: 1_000, now: () => clock });
    const first = shared.resolvePlacement({ ...auto }, { traceparent: "t1" });
    const second = shared.resolvePlacement({ ...auto }, { traceparent: "t2" });
    expect(hosts.calls).toHaveLength(1);
    expect(hosts.calls[0]).toMatchObject({ request: auto, traceparent: "t1" });
    hosts.answer(h1pve1);
    expect(await first).toEqual(h1pve1);
    expect(await second).toEqual(h1pve1);
    clock = 999;
    expect(await shared.resolvePlacement({ ...auto }, { traceparent: "t3" })).toEqual(h1pve1);
    expect(hosts.calls).toHaveLength(1);
  });

  it("an answer as old as the age is not shared: the next placement asks again and gets the new answer", async () => {
    let clock = 0;
    const hosts = hostsService();
    const shared = sharePlacements(hosts.client, { maxAgeMs: 1_000, now: () => clock });
    const first = shared.resolvePlacement(auto, call);
    hosts.answer(h1pve1);
    await first;
    clock = 1_000;
    const again = shared.resolvePlacement(auto, call);
    expect(hosts.calls).toHaveLength(2);
    hosts.answer({ hostId: "h2", node: "pve9" });
    expect(await again).toEqual({ hostId: "h2", node: "pve9" });
  });

  it("requests are answered apart: another host or node is another question", async () => {
    const hosts = hostsService();
    const shared = sharePlacements(hosts.client, { maxAgeMs: 60_000, now: () => 0 });
    const a = shared.resolvePlacement(auto, call);
    const b = shared.resolvePlacement({ hostId: "h1", node: "" }, call);
    const c = shared.resolvePlacement({ hostId: "", node: "pve1" }, call);
    const d = shared.resolvePlacement(h1pve1, call);
    expect(hosts.calls.map((call) => call.request)).toEqual([
      auto,
      { hostId: "h1", node: "" },
      { hostId: "", node: "pve1" },
      h1pve1,
    ]);
    hosts.answer({ hostId: "h2", node: "pve2" }, 0);
    hosts.answer({ hostId: "h1", node: "pve3" }, 1);
    hosts.answer({ hostId: "h1", node: "pve1" }, 2);
    hosts.answer(h1pve1, 3);
    expect(await Promise.all([a, b, c, d])).toEqual([
      { hostId: "h2", node: "pve2" },
      { hostId: "h1", node: "pve3" },
      { hostId: "h1", node: "pve1" },
      h1pve1,
    ]);
    expect(shared.size()).toBe(4);
  });

  it("a refusal reaches the placements waiting on it and is not kept: the next placement asks again", async () => {
    const hosts = hostsService();
    const shared = sharePlacements(hosts.client, { maxAgeMs: 60_000, now: () => 0 });
    const first = shared.resolvePlacement(auto, call);
    const joined = shared.resolvePlacement(auto, call);
    hosts.fail(new ConflictError("No reachable Proxmox node is available"));
    await expect(first).rejects.toThrow("No reachable Proxmox node is available");
    await expect(joined).rejects.toThrow("No reachable Proxmox node is available");
    expect(shared.size()).toBe(0);
    const next = shared.resolvePlacement(auto, call);
    expect(hosts.calls).toHaveLength(2);
    hosts.answer(h1pve1);
    expect(await next).toEqual(h1pve1);
  });

  it("an answer is dropped once too old (nothing kept for requests no longer made)", async () => {
    vi.useFakeTimers();
    try {
      const hosts = hostsService();
      const shared = sharePlacements(hosts.client, { maxAgeMs: 1_000 });
      const first = shared.resolvePlacement(h1pve1, call);
      hosts.answer(h1pve1);
      await first;
      expect(shared.size()).toBe(1);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(shared.size()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it("an age of 0 shares nothing: every placement asks", async () => {
    const hosts = hostsService();
    const shared = sharePlacements(hosts.client, { maxAgeMs: 0, now: () => 0 });
    const a = shared.resolvePlacement(auto, call);
    const b = shared.resolvePlacement(auto, call);
    expect(hosts.calls).toHaveLength(2);
    hosts.answer(h1pve1, 0);
    hosts.answer(h1pve1, 1);
    await Promise.all([a, b]);
    expect(shared.size()).toBe(0);
  });

  it("counts the placements that followed an answer asked by another", async () => {
    const before = (await placementAnswersShared.get()).values[0]?.value ?? 0;
    const hosts = hostsService();
    const shared = sharePlacements(hosts.client, { maxAgeMs: 60_000, now: () => 0 });
    const a = shared.resolvePlacement(auto, call);
    const b = shared.resolvePlacement(auto, call);
    const c = shared.resolvePlacement(auto, call);
    hosts.answer(h1pve1);
    await Promise.all([a, b, c]);
    expect((await placementAnswersShared.get()).values[0]?.value).toBe(before + 2);
  });

  it("the key is the request's two fields, whatever they contain", async () => {
    const hosts = hostsService();
    const shared = sharePlacements(hosts.client, { maxAgeMs: 60_000, now: () => 0 });
    const a = shared.resolvePlacement({ hostId: "ab", node: "c" }, call);
    const b = shared.resolvePlacement({ hostId: "a", node: "bc" }, call);
    expect(hosts.calls).toHaveLength(2);
    hosts.answer({ hostId: "ab", node: "c" }, 0);
    hosts.answer({ hostId: "a", node: "bc" }, 1);
    expect(await Promise.all([a, b])).toEqual([
      { hostId: "ab", node: "c" },
      { hostId: "a", node: "bc" },
    ]);
  });

  it("an answer's age counts from its call, not from its arrival", async () => {
    let clock = 0;
    const hosts = hostsService();
    const shared = sharePlacements(hosts.client, { maxAgeMs: 1_000, now: () => clock });
    const first = shared.resolvePlacement(auto, call);
    clock = 900;
    hosts.answer(h1pve1);
    await first;
    clock = 1_000;
    const again = shared.resolvePlacement(auto, call);
    expect(hosts.calls).toHaveLength(2);
    hosts.answer(h1pve1);
    await again;
  });

  it("a forgotten answer is asked again; an older answer's expiry leaves the newer one in place", async () => {
    vi.useFakeTimers();
    try {
      let clock = 0;
      const hosts = hostsService();
      const shared = sharePlacements(hosts.client, { maxAgeMs: 1_000, now: () => clock });
      const first = shared.resolvePlacement(auto, call);
      hosts.answer(h1pve1);
      await first;
      shared.forget({ ...auto });
      expect(shared.size()).toBe(0);
      clock = 500;
      const second = shared.resolvePlacement(auto, call);
      expect(hosts.calls).toHaveLength(2);
      // The first answer's expiry (1 000 ms after it came) must not drop the second one's.
      await vi.advanceTimersByTimeAsync(1_000);
      clock = 1_200;
      const third = shared.resolvePlacement(auto, call);
      expect(hosts.calls).toHaveLength(2);
      hosts.answer({ hostId: "h2", node: "pve2" });
      expect(await second).toEqual({ hostId: "h2", node: "pve2" });
      expect(await third).toEqual({ hostId: "h2", node: "pve2" });
    } finally {
      vi.useRealTimers();
    }
  });
});
