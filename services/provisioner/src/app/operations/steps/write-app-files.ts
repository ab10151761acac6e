/**
 * Writes the app's docker-compose.yml and/or .env into the container, each through SSH stdin (see
 * writeFromStdinScript): no file content, and so no secret value, is ever part of a command line.
 */
import { composeFilePath, envFilePath, writeFromStdinScript } from "../../../domain/deploy-scripts.js";
import { runInContainer } from "../container-command.js";
import type { Attempt, HostConnection } from "../context.js";
import { runJournaledStep } from "../journal-step.js";
import type { StepName } from "../step-names.js";

export interface AppFiles {
  /** New compose file; undefined keeps the one in place. */
  readonly compose?: string;
  /** The rendered .env (holds secret values: only ever sent on stdin). */
  readonly env: string;
}

export async function writeAppFiles(
  a: Attempt,
  connection: HostConnection,
  vmid: number,
  files: AppFiles,
  step: StepName,
  message: string,
): Promise<void> {
  const { appId } = a.request;
  await runJournaledStep(a, step, message, async () => {
    if (files.compose !== undefined) {
      await runInContainer(a, connection, vmid, {
        what: "Writing the compose file",
        script: writeFromStdinScript(composeFilePath(appId)),
        stdin: files.compose,
      });
    }
    await runInContainer(a, connection, vmid, {
      what: "Writing the .env file",
      script: writeFromStdinScript(envFilePath(appId)),
      stdin: files.env,
    });
    return undefined;
  });
}
