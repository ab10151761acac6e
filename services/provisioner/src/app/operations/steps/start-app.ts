/** `docker compose up -d` in the app directory (pulls missing images, so it gets the long deadline). */
import { composeUpScript } from "../../../domain/deploy-scripts.js";
import { runInContainer } from "../container-command.js";
import type { Attempt, HostConnection } from "../context.js";
import { runJournaledStep } from "../journal-step.js";
import { Step, type StepName } from "../step-names.js";

export async function startApp(
  a: Attempt,
  connection: HostConnection,
  vmid: number,
  step: StepName = Step.startApp,
): Promise<void> {
  await runJournaledStep(a, step, "Starting app with docker compose", async () => {
    await runInContainer(a, connection, vmid, {
      what: "docker compose up",
      script: composeUpScript(a.request.appId),
      long: true,
    });
    return undefined;
  });
}
