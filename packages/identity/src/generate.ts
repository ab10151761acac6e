import { generateKeyPairSync } from "node:crypto";
import { createUser } from "nkeys.js";
import { createPlatformCa, issueServiceCertificate, type PlatformCa } from "./certificates.js";
import type { ServiceKeys } from "./service-keys.js";

/** A NATS user nkey: the seed for the service, the public key for the server's configuration. */
export function generateNatsUser(): { seed: string; publicKey: string } {
  const user = createUser();
  return { seed: new TextDecoder().decode(user.getSeed()), publicKey: user.getPublicKey() };
}

/** The NATS public key of a user seed. */
export { fromSeed as natsKeyPairFromSeed } from "nkeys.js";

/**
 * Every identity's keys in memory, sharing one CA and the public keys (tests, benchmarks). Setup
 * tooling writes them to per-service directories with writeServiceBundles instead.
 */
export async function generateServiceKeys(
  names: readonly string[],
  ca?: PlatformCa,
): Promise<Map<string, ServiceKeys>> {
  const authority = ca ?? (await createPlatformCa());
  const pairs = names.map((name) => [name, generateKeyPairSync("ed25519")] as const);
  const publicKeys = new Map(pairs.map(([name, kp]) => [name, kp.publicKey]));
  const out = new Map<string, ServiceKeys>();
  for (const [name, kp] of pairs) {
    const cert = await issueServiceCertificate(authority, name);
    out.set(name, {
      self: name,
      privateKey: kp.privateKey,
      publicKeys,
      tls: { caPem: authority.certPem, certPem: cert.certPem, keyPem: cert.keyPem },
      natsSeed: generateNatsUser().seed,
    });
  }
  return out;
}
