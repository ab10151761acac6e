/**
 * The app directory and .env of a clone (or of an app restored from another app's backup): the
 * copied directory is renamed to the new app id (every later operation finds it there), and the
 * .env gets the new app's own published port. The compose project name stays the source's
 * (COMPOSE_PROJECT_NAME in the .env), so the copied volumes keep their data. The .env is read and
 * written back through stdin; its values never leave memory.
 *
 * The copy's secret settings are the values its .env holds, stored as the new app's secrets: what
 * the copy runs with (a backup's .env may be older than its source's current secrets), and the only
 * copy left when the source app was deleted (its secrets with it) and only its backup was kept.
 */
import { readEnvFileValue, renderEnvFile } from "@proximity/app-env";
import {
  envFilePath,
  moveAppDirectoryScript,
  readEnvFileScript,
  writeFromStdinScript,
} from "../../domain/deploy-scripts.js";
import { envLineValue, replaceEnvLines } from "../../domain/env-lines.js";
import { PORT_VARIABLE } from "../operations/app-env.js";
import { runInContainer } from "../operations/container-command.js";
import type { Attempt, HostConnection, OperationRequest } from "../operations/context.js";
import { runJournaledStep } from "../operations/journal-step.js";
import { appEnvSecretName } from "../operations/secret-names.js";
import { Step } from "../operations/step-names.js";

const PROJECT_VARIABLE = "COMPOSE_PROJECT_NAME";

export async function rewriteEnv(
  a: Attempt<
    OperationRequest & {
      readonly sourceAppId: string;
      readonly publicPort: number;
      readonly secretEnvironment: readonly string[];
    }
  >,
  connection: HostConnection,
  vmid: number,
): Promise<void> {
  const { sourceAppId, appId, publicPort } = a.request;
  await runJournaledStep(a, Step.rewriteEnv, "Writing the new app's settings", async () => {
    await runInContainer(a, connection, vmid, {
      what: "Moving the app directory",
      script: moveAppDirectoryScript(sourceAppId, appId),
    });
    const current = await runInContainer(a, connection, vmid, {
      what: "Reading the .env file",
      script: readEnvFileScript(appId),
    });
    await keepSecretSettings(a, current);
    const own: Record<string, string> = {
      [PROJECT_VARIABLE]: envLineValue(current, PROJECT_VARIABLE) ?? sourceAppId.toLowerCase(),
    };
    if (publicPort > 0) own[PORT_VARIABLE] = String(publicPort);
    const names = publicPort > 0 ? [PROJECT_VARIABLE, PORT_VARIABLE] : [PROJECT_VARIABLE];
    await runInContainer(a, connection, vmid, {
      what: "Writing the .env file",
      script: writeFromStdinScript(envFilePath(appId)),
      stdin: replaceEnvLines(current, names, renderEnvFile(own)),
    });
    return undefined;
  });
}

/** Stores the secret settings the copy's .env holds under the new app's names (values in memory only). */
async function keepSecretSettings(
  a: Attempt<OperationRequest & { readonly secretEnvironment: readonly string[] }>,
  env: string,
): Promise<void> {
  const { appId, operationId, secretEnvironment } = a.request;
  for (const name of secretEnvironment) {
    const value = readEnvFileValue(env, name);
    if (value === undefined) continue;
    a.masked.push(value);
    await a.deps.peers.secrets.putSecret(
      { name: appEnvSecretName(appId, name), value: Buffer.from(value, "utf8"), operationId },
      { traceparent: a.traceparent },
    );
  }
}
