import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSecretsConfig } from "./config.js";

const base = { DATABASE_URL: "postgres://secrets@db/proximity", SERVICE_KEYS_DIR: "/run/keys" };
/** The KEK the compose file once shipped as its default: base64 of "dev-only-key-encryption-key-32b". */
const PUBLISHED_KEK = "ZGV2LW9ubHkta2V5LWVuY3J5cHRpb24ta2V5LTMyYg==";

describe("secrets config", () => {
  it("config - the published development KEK is refused in production, naming SECRETS_KEK", () => {
    expect(() => loadSecretsConfig({ ...base, SECRETS_KEK: PUBLISHED_KEK })).toThrow(
      /SECRETS_KEK: is a published development value/,
    );
    // Unpadded, it is still the same key.
    expect(() => loadSecretsConfig({ ...base, SECRETS_KEK: PUBLISHED_KEK.replace(/=+$/, "") })).toThrow(
      /SECRETS_KEK: is a published development value/,
    );
  });

  it("config - the published KEK is accepted in development mode only; an own key always", () => {
    expect(
      loadSecretsConfig({ ...base, SECRETS_KEK: PUBLISHED_KEK, PROXIMITY_MODE: "development" }).SECRETS_KEK,
    ).toBe(PUBLISHED_KEK);
    const own = randomBytes(32).toString("base64");
    expect(loadSecretsConfig({ ...base, SECRETS_KEK: own }).SECRETS_KEK).toBe(own);
  });
});

describe("secrets config - key ring file", () => {
  const dir = mkdtempSync(join(tmpdir(), "secrets-config-"));
  const ring = (name: string, content: unknown) => {
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify(content));
    return file;
  };
  const own = randomBytes(32).toString("base64");

  it("config - a key ring whose current key is the published KEK is refused in production, naming SECRETS_KEK_FILE", () => {
    for (const kek of [PUBLISHED_KEK, PUBLISHED_KEK.replace(/=+$/, "")]) {
      const file = ring("published.json", { current: "k1", keys: { k1: kek, k2: own } });
      expect(() => loadSecretsConfig({ ...base, SECRETS_KEK_FILE: file })).toThrow(
        /SECRETS_KEK_FILE: the current key "k1" is a published development value/,
      );
    }
  });

  it("config - the published KEK as current is accepted in development; as a retired key always (the way off it)", () => {
    const published = ring("dev.json", { current: "k1", keys: { k1: PUBLISHED_KEK } });
    expect(
      loadSecretsConfig({ ...base, SECRETS_KEK_FILE: published, PROXIMITY_MODE: "development" })
        .SECRETS_KEK_FILE,
    ).toBe(published);
    const rotating = ring("rotating.json", { current: "k2", keys: { k1: PUBLISHED_KEK, k2: own } });
    expect(loadSecretsConfig({ ...base, SECRETS_KEK_FILE: rotating }).SECRETS_KEK_FILE).toBe(rotating);
  });
});
