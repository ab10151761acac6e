import { scryptSync } from "node:crypto";
import { ConfigError } from "@proximity/config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pruneLoginThrottleRows } from "../src/app/login-throttle.js";
import { loadGatewayConfig } from "../src/config.js";
import {
  accountKeyOf,
  delayAfterAttempts,
  LOGIN_THROTTLE,
  type ScopePolicy,
  throttleKeys,
} from "../src/domain/login-throttle-policy.js";
import { scryptDerivations } from "../src/domain/password-hash.js";
import { ADMIN_PASSWORD, type Harness, startHarness } from "./support/gateway-harness.js";
import { createUserAndLogin, type HttpResult, login, request } from "./support/http-client.js";

// One reverse proxy in front of the gateway: the test plays it, writing the client address as the
// last X-Forwarded-For entry (what a proxy appends).
let h: Harness;
let adminSession: Awaited<ReturnType<typeof login>>;
const PASSWORD = "the-right-password-123";

beforeAll(async () => {
  h = await startHarness({ env: { TRUST_PROXY: "1" } });
  adminSession = await login(h.url, "admin", ADMIN_PASSWORD);
});
afterAll(async () => {
  await h?.stop();
});

function attempt(username: string, password: string, forwardedFor: string): Promise<HttpResult> {
  return request(h.url, "POST", "/api/auth/login", {
    body: { username, password },
    headers: { "x-forwarded-for": forwardedFor },
  });
}

async function pairAttempts(username: string, address: string): Promise<number | undefined> {
  const key = throttleKeys({ account: accountKeyOf(username), address }, true).find(
    (k) => k.scope === "pair",
  )!;
  const row = await h.db
    .selectFrom("login_throttle")
    .select("attempts")
    .where("scope", "=", "pair")
    .where("key_hash", "=", key.keyHash)
    .executeTakeFirst();
  return row?.attempts;
}

const FREE = LOGIN_THROTTLE.scopes.pair.freeAttempts;

/**
 * How many attempts beyond the free ones a key may let through within `ms`: each delay that
 * expires frees one slot. A burst's reservations all happen within its duration, so this bounds
 * what a correct throttle verifies even on a slow machine (without reservation, all would be).
 */
function delayedSlotsWithin(ms: number, policy: ScopePolicy): number {
  let slots = 0;
  let waited = delayAfterAttempts(policy, policy.freeAttempts);
  while (waited <= ms) {
    slots++;
    waited += delayAfterAttempts(policy, policy.freeAttempts + slots);
  }
  return slots;
}

interface Burst {
  readonly results: HttpResult[];
  readonly ms: number;
  /** scrypt runs during the burst (the gateway runs in this process). */
  readonly scrypts: number;
}

/** Fires `count` attempts at once. */
async function burst(count: number, make: (i: number) => Promise<HttpResult>): Promise<Burst> {
  const started = Date.now();
  const before = scryptDerivations();
  const results = await Promise.all(Array.from({ length: count }, (_, i) => make(i)));
  return { results, ms: Date.now() - started, scrypts: scryptDerivations() - before };
}

/**
 * Verified (401) and refused (429) attempts of a burst against one pair: only verified attempts
 * ran scrypt, and no more were verified than the free ones plus the delays that expired.
 */
function expectThrottled({ results, ms, scrypts }: Burst): number {
  const verified = results.filter((r) => r.status === 401).length;
  const refused = results.filter((r) => r.status === 429).length;
  expect(verified + refused).toBe(results.length);
  expect(scrypts).toBe(verified);
  expect(verified).toBeGreaterThanOrEqual(FREE);
  expect(verified).toBeLessThanOrEqual(FREE + delayedSlotsWithin(ms, LOGIN_THROTTLE.scopes.pair));
  return verified;
}

describe("login throttle - reserve before verifying", () => {
  it("login throttle - 50 parallel wrong passwords for one account from one address: only the free attempts are verified, the rest get 429", async () => {
    await createUserAndLogin(h.url, adminSession, "parallel-victim", { password: PASSWORD });
    const b = await burst(50, (i) => attempt("parallel-victim", `wrong-guess-${i}-xx`, "198.51.100.10"));
    // Every 401 is one password check; the 429s were refused before any scrypt ran.
    const { results } = b;
    const verified = expectThrottled(b);
    for (const refused of results.filter((r) => r.status === 429)) {
      expect(refused.body).toEqual({ detail: "Too many failed login attempts, try again later" });
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    }
    // Each check was reserved first: the pair counted exactly the attempts that were verified.
    expect(await pairAttempts("parallel-victim", "198.51.100.10")).toBe(verified);
  });

  it("login throttle - an unknown user is throttled exactly like a known one (no enumeration by status or body)", async () => {
    const b = await burst(50, (i) => attempt("nobody-by-this-name", `wrong-guess-${i}-xx`, "198.51.100.11"));
    const { results } = b;
    const verified = expectThrottled(b);
    expect(results.find((r) => r.status === 401)!.body).toEqual({ detail: "Invalid username or password" });
    expect(results.find((r) => r.status === 429)!.body).toEqual({
      detail: "Too many failed login attempts, try again later",
    });
    expect(await pairAttempts("nobody-by-this-name", "198.51.100.11")).toBe(verified);
  });

  it("login throttle - the owner at an address that signed in before gets in while an attacker hammers the account from many addresses", async () => {
    await createUserAndLogin(h.url, adminSession, "hammered", { password: PASSWORD });
    const owner = "203.0.113.50";
    expect((await attempt("hammered", PASSWORD, owner)).status).toBe(200);
    const attackStarted = Date.now();

    // Four attackers take every slot the account frees, each attempt from a fresh address.
    let attacking = true;
    let n = 0;
    const attackResults: HttpResult[] = [];
    const attackers = Array.from({ length: 4 }, async () => {
      while (attacking && n < 2_000) {
        n++;
        attackResults.push(await attempt("hammered", `guess-${n}-xxxxxx`, `192.0.2.${n % 250}`));
        await new Promise((r) => setTimeout(r, 5));
      }
    });
    // Until the account is delayed for unknown addresses.
    while (attackResults.filter((r) => r.status === 429).length < 5)
      await new Promise((r) => setTimeout(r, 20));

    const ownerLogin = await attempt("hammered", PASSWORD, owner);
    const refusedAround = attackResults.filter((r) => r.status === 429).length;
    attacking = false;
    await Promise.all(attackers);

    expect(ownerLogin.status).toBe(200);
    expect(ownerLogin.body.user.username).toBe("hammered");
    // The account scope held the distributed attacker: at most its free attempts plus the few the
    // doubling delays let through were verified.
    const account = LOGIN_THROTTLE.scopes.account;
    const verified = attackResults.filter((r) => r.status === 401).length;
    expect(verified).toBeLessThanOrEqual(
      account.freeAttempts + delayedSlotsWithin(Date.now() - attackStarted, account),
    );
    expect(refusedAround).toBeGreaterThanOrEqual(5);
  });

  it("login throttle - a success clears the pair, and an address's failures do not follow the user to another address", async () => {
    await createUserAndLogin(h.url, adminSession, "clears", { password: PASSWORD });
    for (let i = 0; i < FREE - 1; i++) {
      expect((await attempt("clears", `wrong-${i}-xxxxxxx`, "198.51.100.20")).status).toBe(401);
    }
    expect(await pairAttempts("clears", "198.51.100.20")).toBe(FREE - 1);
    expect((await attempt("clears", PASSWORD, "198.51.100.20")).status).toBe(200);
    expect(await pairAttempts("clears", "198.51.100.20")).toBeUndefined();
    for (let i = 0; i < FREE - 1; i++) {
      expect((await attempt("clears", `wrong-again-${i}-xxx`, "198.51.100.20")).status).toBe(401);
    }
    expect((await attempt("clears", PASSWORD, "198.51.100.20")).status).toBe(200);
  });

  it("login throttle - IPv6 clients are grouped by /64: rotating through one's own prefix buys nothing", async () => {
    const b = await burst(FREE + 5, (i) =>
      attempt("v6-victim", `wrong-${i}-xxxxxxx`, `2001:db8:aa:bb::${(i + 1).toString(16)}`),
    );
    const verified = expectThrottled(b);
    expect(await pairAttempts("v6-victim", "2001:db8:aa:bb::/64")).toBe(verified);
  });
});

/** The address key's row (attempts, delay) as stored. */
async function addressRow(address: string) {
  const key = throttleKeys({ account: "x", address }, true).find((k) => k.scope === "address")!;
  return h.db
    .selectFrom("login_throttle")
    .selectAll()
    .where("scope", "=", "address")
    .where("key_hash", "=", key.keyHash)
    .executeTakeFirst();
}

/** Writes the address key's row as if `attempts` failures had been counted `agoMs` ago. */
async function seedAddress(address: string, attempts: number, agoMs: number): Promise<void> {
  const key = throttleKeys({ account: "x", address }, true).find((k) => k.scope === "address")!;
  const at = new Date(Date.now() - agoMs);
  await h.db
    .insertInto("login_throttle")
    .values({
      scope: "address",
      key_hash: key.keyHash,
      attempts,
      counted_at: at,
      next_allowed_at: new Date(Date.now() - 1),
      updated_at: at,
    })
    .execute();
}

describe("login throttle - a shared address (NAT, proxy) recovers", () => {
  const ADDRESS = LOGIN_THROTTLE.scopes.address;

  it("login throttle - 21 failures from one address, then a correct login succeeds and so does the next one", async () => {
    await createUserAndLogin(h.url, adminSession, "behind-nat", { password: PASSWORD });
    const office = "198.51.100.60";
    // Colleagues' typos, each on their own account (each one made, after a wait if it has to).
    for (let i = 0; i < 21; i++) {
      let res = await attempt(`colleague-${i}`, "a-wrong-password-xx", office);
      while (res.status === 429) {
        await new Promise((r) => setTimeout(r, Number(res.headers.get("retry-after")) * 1000));
        res = await attempt(`colleague-${i}`, "a-wrong-password-xx", office);
      }
      expect(res.status).toBe(401);
    }
    expect((await attempt("behind-nat", PASSWORD, office)).status).toBe(200);
    expect((await attempt("behind-nat", PASSWORD, office)).status).toBe(200);
  });

  it("login throttle - past the address's free attempts, a success ends the address's delay: the next correct login is not kept waiting", async () => {
    await createUserAndLogin(h.url, adminSession, "behind-busy-nat", { password: PASSWORD });
    const office = "198.51.100.61";
    await seedAddress(office, ADDRESS.freeAttempts + 10, 0);
    for (let round = 0; round < 3; round++) {
      expect((await attempt("behind-busy-nat", PASSWORD, office)).status).toBe(200);
    }
    const row = await addressRow(office);
    expect(row!.attempts).toBe(ADDRESS.freeAttempts + 10);
    expect(row!.next_allowed_at.getTime()).toBeLessThanOrEqual(Date.now());
    // A failure still counts, and sets the delay again from the count.
    expect((await attempt("behind-busy-nat", "a-wrong-password-xx", office)).status).toBe(401);
    expect((await attempt("behind-busy-nat", PASSWORD, office)).status).toBe(429);
  });

  it("login throttle - failures leak away with time, even while the address keeps being used", async () => {
    const office = "198.51.100.62";
    // Counted 15 leak periods ago: 15 of them are gone, the rest is under the free attempts.
    await seedAddress(office, ADDRESS.freeAttempts + 5, 15 * ADDRESS.leakMs + 1_000);
    expect((await attempt("leaky-1", "a-wrong-password-xx", office)).status).toBe(401);
    expect((await attempt("leaky-2", "a-wrong-password-xx", office)).status).toBe(401);
    expect((await addressRow(office))!.attempts).toBe(ADDRESS.freeAttempts + 5 - 15 + 2);
  });
});

describe("login throttle - client address behind a proxy (TRUST_PROXY)", () => {
  it("login throttle - with one trusted hop, a spoofed X-Forwarded-For start does not change the address", async () => {
    // The client sends its own X-Forwarded-For; the proxy appends the real address.
    const b = await burst(FREE + 5, (i) =>
      attempt("spoof-victim", `wrong-${i}-xxxxxxx`, `10.9.8.${i}, 198.51.100.30`),
    );
    const verified = expectThrottled(b);
    expect(await pairAttempts("spoof-victim", "198.51.100.30")).toBe(verified);
  });

  it("login throttle - a client address that is not an IP is refused with 400", async () => {
    const res = await attempt("admin", ADMIN_PASSWORD, "not-an-address");
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ detail: "Invalid client address" });
  });

  it("login throttle - TRUST_PROXY=true is refused at start with the reason; hop counts and address lists are accepted", () => {
    const base = { DATABASE_URL: "postgres://x@127.0.0.1/x", SERVICE_KEYS_DIR: "/unused" };
    const problem = (() => {
      try {
        loadGatewayConfig({ ...base, TRUST_PROXY: "true" });
      } catch (err) {
        return err;
      }
    })();
    expect(problem).toBeInstanceOf(ConfigError);
    expect((problem as ConfigError).message).toMatch(/TRUST_PROXY: true would trust every hop/);
    expect(() => loadGatewayConfig({ ...base, TRUST_PROXY: "10.0.0.0/33" })).toThrow(/TRUST_PROXY/);
    expect(() => loadGatewayConfig({ ...base, TRUST_PROXY: "proxy.example" })).toThrow(/TRUST_PROXY/);
    expect(loadGatewayConfig({ ...base, TRUST_PROXY: "2" }).TRUST_PROXY).toBe(2);
    expect(loadGatewayConfig({ ...base, TRUST_PROXY: "0" }).TRUST_PROXY).toBe(false);
    expect(loadGatewayConfig(base).TRUST_PROXY).toBe(false);
    expect(
      loadGatewayConfig({ ...base, TRUST_PROXY: "10.0.0.0/8, 192.168.1.5,loopback" }).TRUST_PROXY,
    ).toEqual(["10.0.0.0/8", "192.168.1.5", "loopback"]);
  });
});

describe("login throttle - password hashes and storage", () => {
  it("login throttle - a hash with older scrypt parameters is replaced on the next good login", async () => {
    await createUserAndLogin(h.url, adminSession, "legacy-hash", { password: PASSWORD });
    const salt = Buffer.from("fedcba9876543210");
    const key = scryptSync(PASSWORD, salt, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 << 20 });
    const legacy = ["scrypt", 2 ** 15, 8, 1, salt.toString("base64"), key.toString("base64")].join("$");
    await h.db
      .updateTable("users")
      .set({ password_hash: legacy })
      .where("username", "=", "legacy-hash")
      .execute();

    expect((await attempt("legacy-hash", "wrong-password-xxx", "198.51.100.40")).status).toBe(401);
    const storedAfterFailure = await h.db
      .selectFrom("users")
      .select("password_hash")
      .where("username", "=", "legacy-hash")
      .executeTakeFirstOrThrow();
    expect(storedAfterFailure.password_hash).toBe(legacy);

    expect((await attempt("legacy-hash", PASSWORD, "198.51.100.40")).status).toBe(200);
    const stored = await h.db
      .selectFrom("users")
      .select("password_hash")
      .where("username", "=", "legacy-hash")
      .executeTakeFirstOrThrow();
    expect(stored.password_hash).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect((await attempt("legacy-hash", PASSWORD, "198.51.100.40")).status).toBe(200);
  });

  it("login throttle - pruning deletes rows past the forget period whose failures leaked away and old known sources, and keeps the rest", async () => {
    const old = new Date(Date.now() - LOGIN_THROTTLE.forgetAfterMs - 60_000);
    await h.db
      .insertInto("login_throttle")
      .values([
        {
          scope: "pair",
          key_hash: "a".repeat(64),
          attempts: 3,
          counted_at: old,
          next_allowed_at: old,
          updated_at: old,
        },
        {
          scope: "address",
          key_hash: "b".repeat(64),
          attempts: 1,
          next_allowed_at: new Date(),
          updated_at: new Date(),
        },
        // Left alone as long, but 100 failures take longer than that to leak away: kept.
        {
          scope: "account",
          key_hash: "e".repeat(64),
          attempts: 100,
          counted_at: old,
          next_allowed_at: old,
          updated_at: old,
        },
      ])
      .execute();
    await h.db
      .insertInto("login_known_sources")
      .values([
        {
          source_hash: "c".repeat(64),
          last_success_at: new Date(Date.now() - LOGIN_THROTTLE.knownSourceMs - 1_000),
        },
        { source_hash: "d".repeat(64), last_success_at: new Date() },
      ])
      .execute();
    expect(await pruneLoginThrottleRows(h.db)).toBeGreaterThanOrEqual(2);
    const throttle = await h.db.selectFrom("login_throttle").select("key_hash").execute();
    const sources = await h.db.selectFrom("login_known_sources").select("source_hash").execute();
    expect(throttle.map((r) => r.key_hash)).not.toContain("a".repeat(64));
    expect(throttle.map((r) => r.key_hash)).toContain("b".repeat(64));
    expect(throttle.map((r) => r.key_hash)).toContain("e".repeat(64));
    expect(sources.map((r) => r.source_hash)).not.toContain("c".repeat(64));
    expect(sources.map((r) => r.source_hash)).toContain("d".repeat(64));
  });
});
