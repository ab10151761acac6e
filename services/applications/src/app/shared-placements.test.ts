import { ConflictError } from "@proximity/errors";
import type { hostsV1 } from "@proximity/proto";
import { describe, expect, it, vi } from "vitest";
import { placementLookups } from "../metrics.js";
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
        calls.push({ request, traceparent: options?.traceparent, resolve, reject });
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
    expect(await shared.resolvePlacement({ ...auto })).toEqual(h1pve1);
    expect(hosts.calls).toHaveLength(1);
  });

  it("an answer as old as the age is not shared: the next placement asks again and gets the new answer", async () => {
    let clock = 0;
    const hosts = hostsService();
    const shared = sharePlacements(hosts.client, { maxAgeMs: 1_000, now: () => clock });
    const first = shared.resolvePlacement(auto);
    hosts.answer(h1pve1);
    await first;
    clock = 1_000;
    const again = shared.resolvePlacement(auto);
    expect(hosts.calls).toHaveLength(2);
    hosts.answer({ hostId: "h2", node: "pve9" });
    expect(await again).toEqual({ hostId: "h2", node: "pve9" });
  });

  it("requests are answered apart: another host or node is another question", async () => {
    const hosts = hostsService();
    const shared = sharePlacements(hosts.client, { maxAgeMs: 60_000, now: () => 0 });
    const a = shared.resolvePlacement(auto);
    const b = shared.resolvePlacement({ hostId: "h1", node: "" });
    const c = shared.resolvePlacement({ hostId: "", node: "pve1" });
    const d = shared.resolvePlacement(h1pve1);
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
    const first = shared.resolvePlacement(auto);
    const joined = shared.resolvePlacement(auto);
    hosts.fail(new ConflictError("No reachable Proxmox node is available"));
    await expect(first).rejects.toThrow("No reachable Proxmox node is available");
    await expect(joined).rejects.toThrow("No reachable Proxmox node is available");
    expect(shared.size()).toBe(0);
    const next = shared.resolvePlacement(auto);
    expect(hosts.calls).toHaveLength(2);
    hosts.answer(h1pve1);
    expect(await next).toEqual(h1pve1);
  });

  it("an answer is dropped once too old (nothing kept for requests no longer made)", async () => {
    vi.useFakeTimers();
    try {
      const hosts = hostsService();
      const shared = sharePlacements(hosts.client, { maxAgeMs: 1_000 });
      const first = shared.resolvePlacement(h1pve1);
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
    const a = shared.resolvePlacement(auto);
    const b = shared.resolvePlacement(auto);
    expect(hosts.calls).toHaveLength(2);
    hosts.answer(h1pve1, 0);
    hosts.answer(h1pve1, 1);
    await Promise.all([a, b]);
    expect(shared.size()).toBe(0);
  });

  it("counts the calls made to the hosts service, not the answers shared", async () => {
    const before = (await placementLookups.get()).values[0]?.value ?? 0;
    const hosts = hostsService();
    const shared = sharePlacements(hosts.client, { maxAgeMs: 60_000, now: () => 0 });
    const a = shared.resolvePlacement(auto);
    const b = shared.resolvePlacement(auto);
    hosts.answer(h1pve1);
    await Promise.all([a, b]);
    expect((await placementLookups.get()).values[0]?.value).toBe(before + 1);
  });
});
