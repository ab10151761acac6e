/**
 * The update proper, on a snapshotted container: new files, pull, recreate, health check. Each
 * step is journaled (a resumed attempt continues); the first failure is the caller's to roll back.
 */

import { renderEnvFile } from "@proximity/app-env";
import { composePullScript, composeRecreateScript, readEnvFileScript } from "../../domain/deploy-scripts.js";
import { envLineValue, replaceEnvLines } from "../../domain/env-lines.js";
import type { ActionAttempt } from "../operations/action-request.js";
import { runInContainer } from "../operations/container-command.js";
import type { HostConnection } from "../operations/context.js";
import { runJournaledStep } from "../operations/journal-step.js";
import { Step } from "../operations/step-names.js";
import { verifyApp } from "../operations/steps/verify-app.js";
import { writeAppFiles } from "../operations/steps/write-app-files.js";

/** Compose reads the project name from the .env; a clone keeps its source's (and so its volumes). */
const PROJECT_VARIABLE = "COMPOSE_PROJECT_NAME";

/** @returns the container's address once the updated app is healthy. */
export async function applyUpdate(
  a: ActionAttempt,
  connection: HostConnection,
  vmid: number,
  env: string,
): Promise<string> {
  const { settings } = a.deps;
  const script = (build: (appId: string) => string) => build(a.request.appId);
  const withProject = await keepProjectName(a, connection, vmid, env);
  await writeAppFiles(
    a,
    connection,
    vmid,
    { compose: a.request.compose, env: withProject },
    Step.writeAppFiles,
    "Writing the new compose file",
  );
  await runJournaledStep(a, Step.pullImages, "Pulling the new images", async () => {
    await runInContainer(a, connection, vmid, {
      what: "docker compose pull",
      script: script(composePullScript),
      long: true,
    });
    return undefined;
  });
  await runJournaledStep(a, Step.recreateApp, "Recreating the app's services", async () => {
    await runInContainer(a, connection, vmid, {
      what: "docker compose up",
      script: script(composeRecreateScript),
      long: true,
    });
    return undefined;
  });
  return verifyApp(a, connection, vmid, {
    step: Step.checkHealth,
    message: "Checking the updated app is healthy",
    waitMs: settings.updateHealthTimeoutMs,
    intervalMs: settings.updateHealthIntervalMs,
  });
}

/** The new .env, carrying over the compose project name the current one pins (clones do). */
async function keepProjectName(
  a: ActionAttempt,
  connection: HostConnection,
  vmid: number,
  env: string,
): Promise<string> {
  // The current .env holds secret values: it stays in memory and is never logged.
  const current = await runInContainer(a, connection, vmid, {
    what: "Reading the .env file",
    script: readEnvFileScript(a.request.appId),
  });
  const project = envLineValue(current, PROJECT_VARIABLE);
  return project === undefined
    ? env
    : replaceEnvLines(env, [PROJECT_VARIABLE], renderEnvFile({ [PROJECT_VARIABLE]: project }));
}
