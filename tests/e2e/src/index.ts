/**
 * The whole platform in one process (simulator + every service), for end-to-end tests and the
 * benchmark, plus a small HTTP client for the gateway.
 */

export type { HttpResult } from "./gateway-client.js";
export { GatewayClient } from "./gateway-client.js";
export type { Platform, PlatformOptions, SimulatorCredentials } from "./platform.js";
export { startPlatform } from "./platform.js";
