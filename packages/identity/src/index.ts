/**
 * Service identity: who each service is and how it proves it — Ed25519 keys (call tokens, signed
 * events), mTLS certificates from the platform CA, NATS nkeys — and the per-service bundles that
 * setup writes and services load.
 */
export { BundleFiles, loadServiceKeys, type WriteBundlesOptions, writeServiceBundles } from "./bundle.js";
export {
  createPlatformCa,
  type IssuedCertificate,
  issueServiceCertificate,
  type PlatformCa,
  type ServiceCertificateOptions,
} from "./certificates.js";
export { generateNatsUser, generateServiceKeys, natsKeyPairFromSeed } from "./generate.js";
export { identityUri, ServiceIdentities, type ServiceIdentity } from "./identities.js";
export { serviceOfCertificate } from "./peer.js";
export type { ServiceKeys, ServiceTls } from "./service-keys.js";
export { signAsSelf, verifySignedBy } from "./signature.js";
