import { beforeEach, describe, expect, it, vi } from "vitest";
import type { GatewayDb } from "../db/database.js";
import type { SessionWithUser } from "../db/session.repository.js";
import { createSessionCache } from "./session-cache.js";
import { createSessionStore } from "./session-store.js";

// The store's database side, driven by each test: when a lookup answers, and whether a touch finds
// the session still there.
const repository = vi.hoisted(() => ({
  lookup: (): Promise<SessionWithUser | undefined> => Promise.resolve(undefined),
  touched: true,
  /** The idle cutoff each touch was given. */
  touchCutoffs: [] as Date[],
}));
vi.mock("../db/session.repository.js", () => ({
  findLiveSession: () => repository.lookup(),
  touchSession: async (_db: unknown, _idHash: string, _at: Date, idleCutoff: Date) => {
    repository.touchCutoffs.push(idleCutoff);
    return repository.touched;
  },
  insertSession: async () => "id",
  listLiveSessionsOfUser: async () => ({ rows: [], total: 0 }),
}));

const db = {} as GatewayDb;
const policy = { ttlMs: 12 * 3_600_000, idleMs: 30 * 60_000 };

function session(lastSeenAgoMs: number): SessionWithUser {
  return {
    id: "s1",
    idHash: "h1",
    csrfHash: "c1",
    lastSeenAt: new Date(Date.now() - lastSeenAgoMs),
    expiresAt: new Date(Date.now() + 3_600_000),
    credentialEpoch: 0,
    user: { id: "u1", username: "alice", is_admin: false },
  };
}

function listeningCache() {
  const cache = createSessionCache({ ttlMs: 30_000, maxEntries: 10, idleMs: policy.idleMs });
  cache.setListening(true);
  return cache;
}

describe("session store with its cache", () => {
  beforeEach(() => {
    repository.touched = true;
    repository.touchCutoffs = [];
  });

  it("session store - a touch is given the store's idle cutoff; a short idle timeout is touched in time", async () => {
    const store = createSessionStore(db, policy);
    repository.lookup = async () => session(120_000);
    expect(await store.resolve("cookie")).toBeDefined();
    const [cutoff] = repository.touchCutoffs;
    expect(Math.abs(cutoff!.getTime() - (Date.now() - policy.idleMs))).toBeLessThan(1_000);
    // With a 1-minute idle timeout, a session used 40 s ago is touched (every half of it), not
    // left to be refused once idle.
    const short = createSessionStore(db, { ...policy, idleMs: 60_000 });
    repository.lookup = async () => session(40_000);
    await short.resolve("cookie");
    expect(repository.touchCutoffs).toHaveLength(2);
  });

  it("session store - a session read before a change noticed during its lookup is not kept, touched or not", async () => {
    for (const lastSeenAgoMs of [1_000, 120_000]) {
      const cache = listeningCache();
      const store = createSessionStore(db, policy, cache);
      repository.lookup = async () => {
        cache.invalidate(); // e.g. a logout elsewhere, committed after the lookup's snapshot
        return session(lastSeenAgoMs);
      };
      expect(await store.resolve("cookie")).toBeDefined();
      expect(cache.size).toBe(0);
    }
  });

  it("session store - a session the touch finds ended is not authenticated, nor kept", async () => {
    const cache = listeningCache();
    const store = createSessionStore(db, policy, cache);
    repository.lookup = async () => session(120_000);
    repository.touched = false;
    expect(await store.resolve("cookie")).toBeUndefined();
    expect(cache.get("cookie")).toBeUndefined();
  });

  it("session store - a kept session is served without a lookup; its touch refreshes its last use, not its end", async () => {
    const cache = listeningCache();
    const store = createSessionStore(db, policy, cache);
    let lookups = 0;
    repository.lookup = async () => {
      lookups++;
      return session(120_000);
    };
    const first = await store.resolve("cookie");
    expect(Date.now() - first!.lastSeenAt.getTime()).toBeLessThan(1_000);
    expect((await store.resolve("cookie"))?.lastSeenAt).toEqual(first!.lastSeenAt);
    expect(lookups).toBe(1);
  });

  it("session store - a touch of a kept session does not extend how long it is trusted", async () => {
    vi.useFakeTimers();
    try {
      const cache = createSessionCache({ ttlMs: 120_000, maxEntries: 10, idleMs: policy.idleMs });
      cache.setListening(true);
      const store = createSessionStore(db, policy, cache);
      let lookups = 0;
      repository.lookup = async () => {
        lookups++;
        return session(120_000);
      };
      await store.resolve("cookie"); // looked up and touched: kept until 120 s from now
      vi.advanceTimersByTime(61_000);
      await store.resolve("cookie"); // kept, touched again (its last use is 61 s old)
      expect(lookups).toBe(1);
      vi.advanceTimersByTime(60_000);
      await store.resolve("cookie"); // 121 s after the lookup: looked up again
      expect(lookups).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });
});
