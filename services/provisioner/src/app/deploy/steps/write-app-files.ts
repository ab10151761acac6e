/** Step 5b: write the app's docker-compose.yml and .env into the container. */
import { runInContainer } from "../container-command.js";
import type { DeployAttempt, HostConnection } from "../deploy-context.js";
import { runJournaledStep } from "../journal-step.js";
import { DeployStep } from "../step-names.js";

/** `script` is built (and validated) before any effect: see prepareAppFiles. */
export async function writeAppFiles(
  a: DeployAttempt,
  connection: HostConnection,
  vmid: number,
  script: string,
): Promise<void> {
  await runJournaledStep(a, DeployStep.writeAppFiles, "Writing the app's compose file", async () => {
    await runInContainer(a, connection, vmid, { what: "Writing the app files", script });
    return undefined;
  });
}
