/**
 * The Proxmox VE simulator: an in-process fake of the `/api2/json` API and of each node's SSH
 * `pct` interface, with fault injection. Used by tests, the dev stack and benchmarks.
 */

export type {
  FaultEffect,
  FaultMatch,
  FaultSpec,
  ProxmoxSimulator,
  RunningSimulator,
  SimCommand,
  SimContainer,
  SimGuestFile,
  SimRequestCounts,
  SimulatorNodeInfo,
  SimulatorOptions,
} from "./api.js";
export type { FleetHost, FleetOptions, SimulatorFleet } from "./fleet.js";
export { createSimulatorFleet, fleetAddress, fleetCredential } from "./fleet.js";
export { createProxmoxSimulator } from "./simulator.js";
