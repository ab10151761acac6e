import { describe, expect, it } from "vitest";
import type { Principal } from "./principal.js";
import { createTokenCache } from "./token-cache.js";

const principal = (expiresAt: number): Principal => ({
  user: { id: "u1", username: "alice" },
  isAdmin: false,
  credentialEpoch: 0,
  via: "token",
  token: { id: "t1", expiresAt: new Date(expiresAt) },
  scopes: ["read"],
});

function clockedCache(ttlMs = 1_000, maxEntries = 10) {
  let now = 1_000_000;
  const cache = createTokenCache({ ttlMs, maxEntries, now: () => now });
  return { cache, advance: (ms: number) => (now += ms), now: () => now };
}

describe("token cache", () => {
  it("token cache - keeps a verified token only while listening, and serves it to the same bearer only", () => {
    const { cache, now } = clockedCache();
    const p = principal(now() + 60_000);
    cache.put("pxm_a_secret", p, cache.begin());
    expect(cache.get("pxm_a_secret")).toBeUndefined(); // not listening yet: nothing kept
    cache.setListening(true);
    cache.put("pxm_a_secret", p, cache.begin());
    expect(cache.get("pxm_a_secret")).toBe(p);
    expect(cache.get("pxm_a_other")).toBeUndefined();
  });

  it("token cache - a change notice, or a lookup overtaken by one, leaves nothing behind", () => {
    const { cache, now } = clockedCache();
    cache.setListening(true);
    const p = principal(now() + 60_000);
    cache.put("b1", p, cache.begin());
    cache.invalidate();
    expect(cache.get("b1")).toBeUndefined();
    // A lookup that began before a notice may have read the row before the change.
    const ticket = cache.begin();
    cache.invalidate();
    cache.put("b1", p, ticket);
    expect(cache.get("b1")).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("token cache - losing the notice channel empties it, and what a lookup read before it came back is not kept", () => {
    const { cache, now } = clockedCache();
    cache.setListening(true);
    const p = principal(now() + 60_000);
    cache.put("b1", p, cache.begin());
    cache.setListening(false);
    expect(cache.get("b1")).toBeUndefined();
    const ticket = cache.begin();
    cache.setListening(true);
    cache.put("b1", p, ticket);
    expect(cache.get("b1")).toBeUndefined();
  });

  it("token cache - an entry ends with its time to live and with the token's own expiry", () => {
    const { cache, advance, now } = clockedCache(1_000);
    cache.setListening(true);
    cache.put("long", principal(now() + 60_000), cache.begin());
    cache.put("short", principal(now() + 500), cache.begin());
    advance(499);
    expect(cache.get("short")).toBeDefined();
    advance(1);
    expect(cache.get("short")).toBeUndefined();
    expect(cache.get("long")).toBeDefined();
    advance(500);
    expect(cache.get("long")).toBeUndefined();
  });

  it("token cache - keeps at most maxEntries, dropping the oldest; a zero time to live keeps nothing", () => {
    const { cache, now } = clockedCache(1_000, 2);
    cache.setListening(true);
    for (const bearer of ["one", "two", "three"]) cache.put(bearer, principal(now() + 60_000), cache.begin());
    expect(cache.size).toBe(2);
    expect(cache.get("one")).toBeUndefined();
    expect(cache.get("three")).toBeDefined();
    const off = createTokenCache({ ttlMs: 0, maxEntries: 10 });
    off.setListening(true);
    off.put("one", principal(Date.now() + 60_000), off.begin());
    expect(off.size).toBe(0);
  });
});
