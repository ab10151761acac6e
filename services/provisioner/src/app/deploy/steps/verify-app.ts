/** Step 5d: check every compose service runs and read the container's address. */
import { InternalError } from "@proximity/errors";
import { firstIpv4, parseComposePs, servicesNotRunning } from "../../../domain/compose-status.js";
import { composePsScript, HOSTNAME_ADDRESSES_SCRIPT } from "../../../domain/deploy-scripts.js";
import { runInContainer } from "../container-command.js";
import type { DeployAttempt, HostConnection } from "../deploy-context.js";
import { AppNotRunningError } from "../errors.js";
import { runJournaledStep } from "../journal-step.js";
import { DeployStep } from "../step-names.js";

/** Returns the container's IPv4 address (journaled as the step's detail). */
export async function verifyApp(a: DeployAttempt, connection: HostConnection, vmid: number): Promise<string> {
  const ip = await runJournaledStep(a, DeployStep.verifyApp, "Checking the app is running", async () => {
    const ps = await runInContainer(a, connection, vmid, {
      what: "docker compose ps",
      script: composePsScript(a.request.appId),
    });
    let states: ReturnType<typeof parseComposePs>;
    try {
      states = parseComposePs(ps);
    } catch (err) {
      throw new InternalError("docker compose ps printed something other than JSON", err);
    }
    const down = servicesNotRunning(states);
    if (down.length > 0) throw new AppNotRunningError(down);
    const addresses = await runInContainer(a, connection, vmid, {
      what: "hostname -I",
      script: HOSTNAME_ADDRESSES_SCRIPT,
    });
    const address = firstIpv4(addresses);
    if (!address) throw new InternalError("The container has no IPv4 address");
    return address;
  });
  return ip ?? "";
}
