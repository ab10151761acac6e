/**
 * Process scaffolding shared by every service: graceful shutdown, the main runner, the lifecycle
 * shape of service factories.
 */

export type { OnStop, ServiceHandle } from "./lifecycle.js";
export { defineService } from "./lifecycle.js";
export { runMain } from "./run-main.js";
export type { ShutdownOptions, ShutdownRegistry } from "./shutdown.js";
export { createShutdownRegistry } from "./shutdown.js";
