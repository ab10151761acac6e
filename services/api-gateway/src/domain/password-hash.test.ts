import { scryptSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hashPassword, needsRehash, SCRYPT_PARAMS, verifyPassword } from "./password-hash.js";

/** A hash as the gateway stored them before N was raised to 2^17. */
function legacyHash(password: string): string {
  const salt = Buffer.from("0123456789abcdef");
  const key = scryptSync(password.normalize("NFKC"), salt, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 << 20 });
  return ["scrypt", 2 ** 15, 8, 1, salt.toString("base64"), key.toString("base64")].join("$");
}

describe("password-hash - scrypt", () => {
  it("password-hash - uses OWASP's scrypt parameters (N=2^17, r=8, p=1) and stores them with the hash", async () => {
    expect(SCRYPT_PARAMS).toEqual({ N: 131072, r: 8, p: 1 });
    const stored = await hashPassword("a long passphrase");
    expect(stored).toMatch(/^scrypt\$131072\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(await verifyPassword("a long passphrase", stored)).toBe(true);
    expect(await verifyPassword("a long passphrasE", stored)).toBe(false);
    expect(needsRehash(stored)).toBe(false);
  });

  it("password-hash - a hash made with older parameters still verifies and asks for a rehash", async () => {
    const stored = legacyHash("an old passphrase");
    expect(await verifyPassword("an old passphrase", stored)).toBe(true);
    expect(await verifyPassword("another passphrase", stored)).toBe(false);
    expect(needsRehash(stored)).toBe(true);
  });

  it("password-hash - salts every hash", async () => {
    expect(await hashPassword("same")).not.toBe(await hashPassword("same"));
  });

  it("password-hash - a malformed or oversized stored hash verifies nothing instead of throwing", async () => {
    for (const stored of [
      "",
      "bcrypt$x",
      "scrypt$a$b$c$d$e",
      "scrypt$16384$8$1$$",
      "scrypt$1000$8$1$c2FsdA==$aGFzaA==",
      `scrypt$${2 ** 24}$8$1$c2FsdA==$aGFzaA==`,
      "scrypt$16384$8$1$c2FsdA==$aGFzaA==$extra",
    ]) {
      expect(await verifyPassword("x", stored)).toBe(false);
      expect(needsRehash(stored)).toBe(false);
    }
  });

  it("password-hash - parallel hashes all complete (the concurrency gate hands slots over)", async () => {
    const hashes = await Promise.all(Array.from({ length: 5 }, (_, i) => hashPassword(`pw-${i}`)));
    expect(new Set(hashes).size).toBe(5);
    expect(await verifyPassword("pw-3", hashes[3]!)).toBe(true);
  });
});
