/**
 * proximityctl, the SRE command line over the services' gRPC APIs (as the sre identity): its main
 * function, for the `proximityctl` binary (src/main.ts) and for tests that run it in-process.
 */
export type { CliIo } from "./cli.js";
export { runProximityctl } from "./cli.js";
export type { ExitCodeValue } from "./exit-codes.js";
export { ExitCode } from "./exit-codes.js";
