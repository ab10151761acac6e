/**
 * Test fixtures on real servers: per-file databases and bus namespaces, silent loggers, polling.
 * The vitest global setup lives at `@proximity/testing/global-setup`.
 */

export type { TestCert } from "./certs.js";
export { caSignedCert, selfSignedCert } from "./certs.js";
export {
  createTestDatabase,
  dropNamespaceStreams,
  eventually,
  testLogger,
  testServers,
  uniqueName,
  uniqueNamespace,
} from "./fixtures.js";
export type { PrivateNats } from "./private-nats.js";
export { freeTcpPort, natsServerBinary, startPrivateNats } from "./private-nats.js";
export { tablesIn } from "./schema.js";
export type { StatementCounter } from "./statement-counter.js";
export { statementCounter } from "./statement-counter.js";
