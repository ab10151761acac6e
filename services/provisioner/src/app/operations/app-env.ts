/**
 * The app's `.env`: its plain environment, the values of its secret variables (read from the
 * secrets service under `apps/<app_id>/env/<NAME>`, in memory for one attempt only) and
 * PROXIMITY_PORT, the published port its compose file maps. Every value is added to `a.masked`
 * before anything can fail, so command output quoting one is masked.
 */

import { renderEnvFile } from "@proximity/app-env";
import { NotFoundError } from "@proximity/errors";
import type { Attempt } from "./context.js";
import { OperationRefusedError } from "./errors.js";
import { appEnvSecretName } from "./secret-names.js";

/** Variable carrying the published port into the compose file (`${PROXIMITY_PORT:-8080}:80`). */
export const PORT_VARIABLE = "PROXIMITY_PORT";

export interface AppEnvironment {
  readonly environment: Readonly<Record<string, string>>;
  readonly secretEnvironment: readonly string[];
  readonly publicPort: number;
}

/** Reads the secret values of `appId` by name (into `a.masked` as they arrive). */
export async function readSecretValues(
  a: Attempt,
  appId: string,
  names: readonly string[],
): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const name of names) {
    let value: string;
    try {
      const secret = await a.deps.peers.secrets.getSecret(
        { name: appEnvSecretName(appId, name) },
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

/**
 * Checks the request's own part of the .env (names and values) without any I/O: a ValidationError
 * here fails the operation for good before anything else happens.
 */
export function checkEnvironment(env: AppEnvironment): void {
  renderEnvFile(env.environment);
}

/** Renders the .env text (names and values validated again with the secret values). */
export async function buildEnvFile(a: Attempt, env: AppEnvironment, extra: Record<string, string> = {}) {
  a.masked.push(...Object.values(env.environment));
  const secrets = await readSecretValues(a, a.request.appId, env.secretEnvironment);
  const port: Record<string, string> = env.publicPort > 0 ? { [PORT_VARIABLE]: String(env.publicPort) } : {};
  return renderEnvFile({ ...env.environment, ...secrets, ...port, ...extra });
}
