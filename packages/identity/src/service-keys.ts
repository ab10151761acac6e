import type { KeyObject } from "node:crypto";

/** The service's mTLS material: the platform CA and its own certificate (PEM). */
export interface ServiceTls {
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

/**
 * Everything a service proves its identity with, and checks its peers' with:
 * - an Ed25519 key pair (signs gRPC call tokens and bus events) and the peers' public keys;
 * - an mTLS certificate issued by the platform CA (URI SAN `spiffe://proximity/<self>`);
 * - its NATS user nkey seed (the server's configuration holds only the public key).
 * A service receives only its own private material (see writeServiceBundles).
 */
export interface ServiceKeys {
  /** This service's name (the `iss` of its tokens, the `aud` it accepts, the signer of its events). */
  readonly self: string;
  readonly privateKey: KeyObject;
  /** Public keys by service name, including this one. */
  readonly publicKeys: ReadonlyMap<string, KeyObject>;
  readonly tls: ServiceTls;
  /** NATS user nkey seed ("SU…"). */
  readonly natsSeed: string;
}
