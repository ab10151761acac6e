/**
 * Test fixtures on real servers: per-file databases and bus namespaces, silent loggers, polling.
 * The vitest global setup lives at `@proximity/testing/global-setup`.
 */
export { testServers, uniqueName, uniqueNamespace, createTestDatabase, testLogger, eventually } from "./fixtures.js";
