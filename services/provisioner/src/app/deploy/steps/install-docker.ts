/** Step 5a: install Docker in the container (skipped inside the script when it is already there). */
import { INSTALL_DOCKER_SCRIPT } from "../../../domain/deploy-scripts.js";
import { runInContainer } from "../container-command.js";
import type { DeployAttempt, HostConnection } from "../deploy-context.js";
import { runJournaledStep } from "../journal-step.js";
import { DeployStep } from "../step-names.js";

export async function installDocker(
  a: DeployAttempt,
  connection: HostConnection,
  vmid: number,
): Promise<void> {
  await runJournaledStep(a, DeployStep.installDocker, "Installing Docker", async () => {
    await runInContainer(a, connection, vmid, {
      what: "Docker installation",
      script: INSTALL_DOCKER_SCRIPT,
      long: true,
    });
    return undefined;
  });
}
