/** Step 5c: `docker compose up -d` (pulls images, so it gets the long deadline). */
import { composeUpScript } from "../../../domain/deploy-scripts.js";
import { runInContainer } from "../container-command.js";
import type { DeployAttempt, HostConnection } from "../deploy-context.js";
import { runJournaledStep } from "../journal-step.js";
import { DeployStep } from "../step-names.js";

export async function startApp(a: DeployAttempt, connection: HostConnection, vmid: number): Promise<void> {
  await runJournaledStep(a, DeployStep.startApp, "Starting app with docker compose", async () => {
    await runInContainer(a, connection, vmid, {
      what: "docker compose up",
      script: composeUpScript(a.request.appId),
      long: true,
    });
    return undefined;
  });
}
