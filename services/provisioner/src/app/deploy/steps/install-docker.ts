/** Step 5a: install Docker in the container (skipped inside the script when it is already there). */
import { INSTALL_DOCKER_SCRIPT } from "../../../domain/deploy-scripts.js";
import { runInContainer } from "../../operations/container-command.js";
import type { HostConnection } from "../../operations/context.js";
import { runJournaledStep } from "../../operations/journal-step.js";
import { Step } from "../../operations/step-names.js";
import type { DeployAttempt } from "../deploy-context.js";

export async function installDocker(
  a: DeployAttempt,
  connection: HostConnection,
  vmid: number,
): Promise<void> {
  await runJournaledStep(a, Step.installDocker, "Installing Docker", async () => {
    await runInContainer(a, connection, vmid, {
      what: "Docker installation",
      script: INSTALL_DOCKER_SCRIPT,
      long: true,
    });
    return undefined;
  });
}
