import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { scramSha256Keys, scramSha256Verifier } from "./scram.js";

// The SCRAM-SHA-256 exchange of RFC 7677, section 3 (user "user", password "pencil").
const salt = Buffer.from("W22ZaJ0SNY7soEsUEjb6gQ==", "base64");
const nonce = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
const authMessage = `n=user,r=rOprNGfwEbeRWgbNEkqO,r=${nonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=${nonce}`;
const clientProof = Buffer.from("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", "base64");
const serverSignature = "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

describe("scram", () => {
  it("scram - the keys of RFC 7677's example verify its client proof and give its server signature", () => {
    const { storedKey, serverKey } = scramSha256Keys("pencil", salt, 4096);
    const clientSignature = createHmac("sha256", storedKey).update(authMessage).digest();
    const clientKey = Buffer.from(clientProof.map((b, i) => b ^ clientSignature[i]!));
    expect(createHash("sha256").update(clientKey).digest()).toEqual(storedKey);
    expect(createHmac("sha256", serverKey).update(authMessage).digest("base64")).toBe(serverSignature);
  });

  it("scram - the verifier has PostgreSQL's format, a fresh salt each time, and never the password", () => {
    const a = scramSha256Verifier("pencil");
    expect(a).toMatch(/^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}:[A-Za-z0-9+/=]{44}$/);
    expect(a).not.toContain("pencil");
    expect(scramSha256Verifier("pencil")).not.toBe(a);
    expect(() => scramSha256Verifier("pâté")).toThrow(/printable ASCII/);
  });
});
