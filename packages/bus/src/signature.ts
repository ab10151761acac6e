import { createHash } from "node:crypto";
import { type ServiceKeys, signAsSelf, verifySignedBy } from "@proximity/identity";

/** NATS header carrying the producer's Ed25519 signature of an event (`v1.<base64url>`). */
export const SIGNATURE_HEADER = "proximity-signature";

/** Signs the events a service publishes, as that service. */
export interface EventSigner {
  /** The signing service: the `ce-source` of what it publishes. */
  readonly service: string;
  sign(data: Uint8Array): Uint8Array;
}

/** Checks that a service signed some bytes (with the public keys of the platform's services). */
export interface EventVerifier {
  verify(signer: string, data: Uint8Array, signature: Uint8Array): boolean;
}

/** Signs with the service's own Ed25519 key. */
export function eventSigner(keys: Pick<ServiceKeys, "self" | "privateKey">): EventSigner {
  return { service: keys.self, sign: (data) => signAsSelf(keys, data) };
}

/** Verifies with the peers' public keys (an unknown signer never verifies). */
export function eventVerifier(keys: Pick<ServiceKeys, "publicKeys">): EventVerifier {
  return { verify: (signer, data, signature) => verifySignedBy(keys, signer, data, signature) };
}

/** What a signature covers: where the event was published, its envelope and its payload. */
export interface SignedEventFields {
  /** The full NATS subject (namespace included), so an event cannot be replayed elsewhere. */
  readonly subject: string;
  readonly id: string;
  readonly type: string;
  readonly source: string;
  readonly time: string;
  /** CloudEvents `subject` (`ce-subject`), "" when absent. */
  readonly ceSubject: string;
  readonly traceparent: string;
  readonly payload: Uint8Array;
}

const VERSION = "v1";

/** The canonical bytes signed: a JSON array of the fields in a fixed order, payload as its SHA-256. */
function canonicalBytes(f: SignedEventFields): Uint8Array {
  const digest = createHash("sha256").update(f.payload).digest("hex");
  const fields = [
    "proximity-event",
    VERSION,
    f.subject,
    f.id,
    f.type,
    f.source,
    f.time,
    f.ceSubject,
    f.traceparent,
    digest,
  ];
  return new TextEncoder().encode(JSON.stringify(fields));
}

/** The value of SIGNATURE_HEADER for an event, signed by `signer`. */
export function signEvent(signer: EventSigner, fields: SignedEventFields): string {
  return `${VERSION}.${Buffer.from(signer.sign(canonicalBytes(fields))).toString("base64url")}`;
}

/** Whether `header` (SIGNATURE_HEADER) is `signer`'s valid signature of the event. */
export function eventSignedBy(
  verifier: EventVerifier,
  signer: string,
  fields: SignedEventFields,
  header: string,
): boolean {
  const [version, encoded, ...rest] = header.split(".");
  if (version !== VERSION || !encoded || rest.length > 0) return false;
  const signature = Buffer.from(encoded, "base64url");
  if (signature.length !== 64) return false; // Ed25519
  return verifier.verify(signer, canonicalBytes(fields), signature);
}
