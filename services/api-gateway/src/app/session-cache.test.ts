import { describe, expect, it } from "vitest";
import type { SessionWithUser } from "../db/session.repository.js";
import { createSessionCache } from "./session-cache.js";

const session = (lastSeenAt: number, expiresAt: number): SessionWithUser => ({
  id: "s1",
  idHash: "h1",
  csrfHash: "c1",
  lastSeenAt: new Date(lastSeenAt),
  expiresAt: new Date(expiresAt),
  credentialEpoch: 0,
  user: { id: "u1", username: "alice", is_admin: false },
});

function clockedCache(ttlMs = 60_000, idleMs = 10_000) {
  let now = 1_000_000;
  const cache = createSessionCache({ ttlMs, maxEntries: 10, idleMs, now: () => now });
  cache.setListening(true);
  return { cache, advance: (ms: number) => (now += ms), now: () => now };
}

describe("session cache", () => {
  it("session cache - serves a resolved session to the same cookie only", () => {
    const { cache, now } = clockedCache();
    const s = session(now(), now() + 60_000);
    cache.put("cookie-a", s, cache.begin());
    expect(cache.get("cookie-a")).toBe(s);
    expect(cache.get("cookie-b")).toBeUndefined();
  });

  it("session cache - an entry ends when the session would be idle, as far as this replica saw it used", () => {
    const { cache, advance, now } = clockedCache(60_000, 10_000);
    cache.put("idle", session(now(), now() + 3_600_000), cache.begin());
    advance(9_999);
    expect(cache.get("idle")).toBeDefined();
    advance(1);
    expect(cache.get("idle")).toBeUndefined();
  });

  it("session cache - an entry ends with the session's expiry, and with its time to live", () => {
    const { cache, advance, now } = clockedCache(5_000, 3_600_000);
    cache.put("expiring", session(now(), now() + 1_000), cache.begin());
    cache.put("long", session(now(), now() + 3_600_000), cache.begin());
    advance(999);
    expect(cache.get("expiring")).toBeDefined();
    advance(1);
    expect(cache.get("expiring")).toBeUndefined();
    expect(cache.get("long")).toBeDefined();
    advance(4_000);
    expect(cache.get("long")).toBeUndefined();
  });
});

describe("session cache - updates", () => {
  it("session cache - an update replaces a kept session but keeps the entry's end; a stale ticket or a missing entry changes nothing", () => {
    let now = 1_000_000;
    const cache = createSessionCache({ ttlMs: 5_000, maxEntries: 10, idleMs: 3_600_000, now: () => now });
    cache.setListening(true);
    const s = session(now, now + 3_600_000);
    cache.put("cookie", s, cache.begin());
    now += 4_000;
    const used = { ...s, lastSeenAt: new Date(now) };
    cache.update("cookie", used, cache.begin());
    expect(cache.get("cookie")).toBe(used);
    now += 1_000;
    expect(cache.get("cookie")).toBeUndefined(); // 5 s after the lookup, not after the update
    const ticket = cache.begin();
    cache.put("again", s, cache.begin());
    cache.invalidate();
    cache.update("again", used, ticket);
    cache.update("never-kept", used, cache.begin());
    expect(cache.size).toBe(0);
  });

  it("session cache - an update begun before a change never overwrites what was read after it", () => {
    const now = 1_000_000;
    const cache = createSessionCache({ ttlMs: 5_000, maxEntries: 10, idleMs: 3_600_000, now: () => now });
    cache.setListening(true);
    const before = session(now, now + 3_600_000);
    const ticket = cache.begin();
    cache.put("cookie", before, ticket);
    cache.invalidate(); // e.g. the user's admin rights taken
    const after = { ...before, user: { ...before.user, is_admin: false } };
    cache.put("cookie", after, cache.begin()); // looked up again since
    cache.update("cookie", { ...before, lastSeenAt: new Date(now) }, ticket); // the older touch ends
    expect(cache.get("cookie")).toBe(after);
  });
});
