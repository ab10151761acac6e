import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "@proximity/config";
import { describe, expect, it } from "vitest";
import { createLocalKeyProvider } from "./local-key-provider.js";

const b64key = () => randomBytes(32).toString("base64");

function keyRingFile(content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "kek-")), "keys.json");
  writeFileSync(path, content);
  return path;
}

describe("createLocalKeyProvider", () => {
  it("local key provider - refuses to exist without a KEK, naming the variable", () => {
    expect(() => createLocalKeyProvider({})).toThrow(ConfigError);
    expect(() => createLocalKeyProvider({})).toThrow(/SECRETS_KEK/);
  });

  it.each(["", "not base64!", randomBytes(16).toString("base64"), randomBytes(33).toString("base64")])(
    "local key provider - rejects malformed SECRETS_KEK %j",
    (kek) => {
      expect(() => createLocalKeyProvider({ kek: kek || " " })).toThrow(
        /SECRETS_KEK: must be the base64 encoding of exactly 32 bytes/,
      );
    },
  );

  it("local key provider - rejects a key ring whose current key is missing or malformed", () => {
    expect(() => createLocalKeyProvider({ kekFile: keyRingFile("{") })).toThrow(
      /SECRETS_KEK_FILE: .* is not valid JSON/,
    );
    expect(() => createLocalKeyProvider({ kekFile: "/nonexistent/keys.json" })).toThrow(
      /SECRETS_KEK_FILE: .* cannot be read/,
    );
    const noCurrent = keyRingFile(JSON.stringify({ current: "k9", keys: { k1: b64key() } }));
    expect(() => createLocalKeyProvider({ kekFile: noCurrent })).toThrow(
      /"current" must name one of the keys/,
    );
    const badKey = keyRingFile(JSON.stringify({ current: "k1", keys: { k1: "abc" } }));
    expect(() => createLocalKeyProvider({ kekFile: badKey })).toThrow(/SECRETS_KEK_FILE \(key "k1"\)/);
  });

  it("local key provider - wraps with the current key of a ring and unwraps with any of its keys", async () => {
    const k1 = b64key();
    const old = createLocalKeyProvider({ kek: k1 });
    const ring = createLocalKeyProvider({
      kekFile: keyRingFile(JSON.stringify({ current: "k2", keys: { k1, k2: b64key() } })),
    });
    expect(ring.currentKeyId()).toBe("k2");
    const dataKey = randomBytes(32);
    const byOld = await old.wrap(dataKey);
    expect((await ring.unwrap(byOld.keyId, byOld.wrapped)).equals(dataKey)).toBe(true);
    const byNew = await ring.wrap(dataKey);
    expect(byNew.keyId).toBe("k2");
    await expect(old.unwrap("k2", byNew.wrapped)).rejects.toThrow(/unknown key-encryption key/);
    // The KEK id is authenticated: a k2-wrapped key relabelled k1 does not unwrap.
    await expect(ring.unwrap("k1", byNew.wrapped)).rejects.toThrow();
  });
});
