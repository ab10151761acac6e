import { describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "./password-hash.js";

describe("password-hash - scrypt", () => {
  it("password-hash - stores scrypt$N$r$p$salt$hash and verifies only the right password", async () => {
    const stored = await hashPassword("a long passphrase");
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(await verifyPassword("a long passphrase", stored)).toBe(true);
    expect(await verifyPassword("a long passphrasE", stored)).toBe(false);
  });

  it("password-hash - salts every hash", async () => {
    expect(await hashPassword("same")).not.toBe(await hashPassword("same"));
  });

  it("password-hash - a malformed stored hash verifies nothing instead of throwing", async () => {
    for (const stored of ["", "bcrypt$x", "scrypt$a$b$c$d$e", "scrypt$16384$8$1$$"]) {
      expect(await verifyPassword("x", stored)).toBe(false);
    }
  });
});
