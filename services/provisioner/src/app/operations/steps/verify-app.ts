/** Check every compose service runs (none unhealthy) and read the container's address (one command per reading). */
import { setTimeout as sleep } from "node:timers/promises";
import { InternalError } from "@proximity/errors";
import {
  type ComposeServiceState,
  firstIpv4,
  parseComposePs,
  servicesNotRunning,
  servicesStarting,
  splitComposeStatus,
} from "../../../domain/compose-status.js";
import { ADDRESSES_MARKER, composeStatusScript } from "../../../domain/deploy-scripts.js";
import { runInContainer } from "../container-command.js";
import type { Attempt, HostConnection } from "../context.js";
import { AppNotRunningError } from "../errors.js";
import { runJournaledStep } from "../journal-step.js";
import { Step, type StepName } from "../step-names.js";

/** How long to keep asking: once (deploy, start) or until health checks decide (update). */
export interface VerifyOptions {
  readonly step?: StepName;
  readonly message?: string;
  /** Poll until every service runs and no health check is still starting, up to this long. */
  readonly waitMs?: number;
  readonly intervalMs?: number;
}

/** Returns the container's IPv4 address (journaled as the step's detail). */
export async function verifyApp(
  a: Attempt,
  connection: HostConnection,
  vmid: number,
  options: VerifyOptions = {},
): Promise<string> {
  const step = options.step ?? Step.verifyApp;
  const ip = await runJournaledStep(a, step, options.message ?? "Checking the app is running", async () => {
    const { addresses } = await waitUntilRunning(a, connection, vmid, options);
    const address = firstIpv4(addresses);
    if (!address) throw new InternalError("The container has no IPv4 address");
    return address;
  });
  return ip ?? "";
}

/** Reads the app's status until it runs (or the wait ends); returns the last reading. */
async function waitUntilRunning(
  a: Attempt,
  connection: HostConnection,
  vmid: number,
  options: VerifyOptions,
): Promise<ComposeStatus> {
  const deadline = Date.now() + (options.waitMs ?? 0);
  for (;;) {
    const status = await composeStatus(a, connection, vmid);
    const down = servicesNotRunning(status.states);
    const pending = servicesStarting(status.states);
    if (down.length === 0 && (pending.length === 0 || options.waitMs === undefined)) return status;
    if (Date.now() >= deadline) throw new AppNotRunningError(down.length > 0 ? down : pending);
    await sleep(options.intervalMs ?? 1_000, undefined, { signal: a.signal });
  }
}

interface ComposeStatus {
  readonly states: ComposeServiceState[];
  /** `hostname -I` of the container. */
  readonly addresses: string;
}

/** The services' states and the container's addresses, in one command. */
async function composeStatus(a: Attempt, connection: HostConnection, vmid: number): Promise<ComposeStatus> {
  const output = await runInContainer(a, connection, vmid, {
    what: "docker compose ps",
    script: composeStatusScript(a.request.appId),
  });
  const parts = splitComposeStatus(output, ADDRESSES_MARKER);
  if (!parts) throw new InternalError("docker compose ps printed something other than its status");
  try {
    return { states: parseComposePs(parts.ps), addresses: parts.addresses };
  } catch (err) {
    throw new InternalError("docker compose ps printed something other than JSON", err);
  }
}
