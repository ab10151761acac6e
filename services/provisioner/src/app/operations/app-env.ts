/**
 * The app's `.env`: its plain environment, the values of its secret variables (read from the
 * secrets service under `apps/<app_id>/env/<NAME>`, in memory for one attempt only) and
 * PROXIMITY_PORT, the published port its compose file maps. Every value is added to `a.masked`
 * before anything can fail, so command output quoting one is masked.
 */

import { renderEnvFile } from "@proximity/app-env";
import { NotFoundError } from "@proximity/errors";
import { composeFilePath } from "../../domain/deploy-scripts.js";
import type { Attempt, OperationRequest } from "./context.js";
import { OperationRefusedError } from "./errors.js";
import { runStep } from "./journal-step.js";
import { appEnvSecretName } from "./secret-names.js";
import { Step } from "./step-names.js";

/** Variable carrying the published port into the compose file (`${PROXIMITY_PORT:-8080}:80`). */
export const PORT_VARIABLE = "PROXIMITY_PORT";

export interface AppEnvironment {
  readonly environment: Readonly<Record<string, string>>;
  readonly secretEnvironment: readonly string[];
  readonly publicPort: number;
}

/**
 * The .env of a deploy or an update. The request's own part (app id, variable names and values) is
 * checked first, without any I/O: bad input fails the operation for good before any effect on the
 * host. Then the secret values are read and the file rendered.
 */
export async function prepareEnvFile(a: Attempt<OperationRequest & AppEnvironment>): Promise<string> {
  composeFilePath(a.request.appId);
  renderEnvFile(a.request.environment);
  return runStep(Step.readSecrets, () => buildEnvFile(a, a.request));
}

/** Reads the secret values of `appId` by name (into `a.masked` as they arrive). */
async function readSecretValues(
  a: Attempt,
  appId: string,
  names: readonly string[],
): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const name of names) {
    let value: string;
    try {
      const secret = await a.deps.peers.secrets.getSecret(
        { name: appEnvSecretName(appId, name), operationId: a.request.operationId },
        { traceparent: a.traceparent },
      );
      value = secret.value.toString("utf8");
    } catch (err) {
      if (err instanceof NotFoundError) {
        throw new OperationRefusedError(`The value of the secret setting ${name} is not stored`);
      }
      throw err;
    }
    a.masked.push(value);
    values[name] = value;
  }
  return values;
}

/** Renders the .env text (names and values validated again with the secret values). */
async function buildEnvFile(a: Attempt, env: AppEnvironment): Promise<string> {
  a.masked.push(...Object.values(env.environment));
  const secrets = await readSecretValues(a, a.request.appId, env.secretEnvironment);
  const port: Record<string, string> = env.publicPort > 0 ? { [PORT_VARIABLE]: String(env.publicPort) } : {};
  return renderEnvFile({ ...env.environment, ...secrets, ...port });
}
