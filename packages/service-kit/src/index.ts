/**
 * Process scaffolding shared by every service: graceful shutdown, the main runner, the lifecycle
 * shape of service factories.
 */
export { createShutdownRegistry } from "./shutdown.js";
export type { ShutdownRegistry, ShutdownOptions } from "./shutdown.js";
export { runMain } from "./run-main.js";
export type { ServiceHandle } from "./lifecycle.js";
