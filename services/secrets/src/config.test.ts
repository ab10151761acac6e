import { randomBytes } from "node:crypto";
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
