import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { openSecret, SecretIntegrityError, sealSecret, secretAad } from "./envelope.js";
import { createLocalKeyProvider } from "./local-key-provider.js";

const keys = createLocalKeyProvider({ kek: randomBytes(32).toString("base64") });
const value = Buffer.from("s3cret-value");

describe("envelope", () => {
  it("envelope - seals with a fresh data key and IV each time and opens back", async () => {
    const a = await sealSecret(keys, value, secretAad("x", 1));
    const b = await sealSecret(keys, value, secretAad("x", 1));
    expect(a.ciphertext.equals(value)).toBe(false);
    expect(a.wrappedKey.equals(b.wrappedKey)).toBe(false);
    expect(a.iv.equals(b.iv)).toBe(false);
    expect(a.kekId).toBe("k1");
    expect((await openSecret(keys, a, secretAad("x", 1))).toString()).toBe("s3cret-value");
  });

  it("envelope - another name or version does not decrypt", async () => {
    const sealed = await sealSecret(keys, value, secretAad("x", 1));
    await expect(openSecret(keys, sealed, secretAad("y", 1))).rejects.toBeInstanceOf(SecretIntegrityError);
    await expect(openSecret(keys, sealed, secretAad("x", 2))).rejects.toBeInstanceOf(SecretIntegrityError);
  });

  it("envelope - a flipped bit in ciphertext, tag or wrapped key is an error", async () => {
    const sealed = await sealSecret(keys, value, secretAad("x", 1));
    const flip = (b: Buffer) => Buffer.from(b.map((byte, i) => (i === 0 ? byte ^ 1 : byte)));
    for (const field of ["ciphertext", "tag", "wrappedKey", "iv"] as const) {
      const tampered = { ...sealed, [field]: flip(sealed[field]) };
      await expect(openSecret(keys, tampered, secretAad("x", 1))).rejects.toThrow(
        "Secret could not be decrypted",
      );
    }
  });

  it("envelope - a data key wrapped by another KEK does not open", async () => {
    const other = createLocalKeyProvider({ kek: randomBytes(32).toString("base64") });
    const sealed = await sealSecret(other, value, secretAad("x", 1));
    await expect(openSecret(keys, sealed, secretAad("x", 1))).rejects.toBeInstanceOf(SecretIntegrityError);
  });
});
