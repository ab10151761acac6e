/**
 * Test fixtures on real servers: per-file databases and bus namespaces, silent loggers, polling.
 * The vitest global setup lives at `@proximity/testing/global-setup`.
 */
export {
  createTestDatabase,
  eventually,
  testLogger,
  testServers,
  uniqueName,
  uniqueNamespace,
} from "./fixtures.js";
export { tablesIn } from "./schema.js";
