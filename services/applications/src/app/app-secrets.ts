import { InternalError, ValidationError } from "@proximity/errors";
import type { PromiseClient } from "@proximity/grpc";
import type { Logger } from "@proximity/logger";
import type { secretsV1 } from "@proximity/proto";

/** The part of the secrets service the applications service uses (its policy grants put and delete). */
export type SecretStore = Pick<PromiseClient<secretsV1.SecretsServiceServer>, "putSecret" | "deleteSecret">;

/** Where a secret environment value of an app lives (shared with the provisioner). */
export function appSecretName(appId: string, name: string): string {
  return `apps/${appId}/env/${name}`;
}

/**
 * Puts every secret value of a new app. On a failure the ones already put are deleted (best
 * effort) and the error is thrown: no app is recorded without its secrets.
 */
export async function putAppSecrets(
  store: SecretStore,
  appId: string,
  values: Readonly<Record<string, string>>,
  traceparent: string,
  log: Logger,
): Promise<void> {
  const done: string[] = [];
  try {
    for (const [name, value] of Object.entries(values)) {
      await store.putSecret(
        { name: appSecretName(appId, name), value: Buffer.from(value, "utf8") },
        { traceparent },
      );
      done.push(name);
    }
  } catch (err) {
    await deleteAppSecrets(store, appId, done, traceparent, log);
    // The request was validated here; a refusal by the secrets service is ours, not the caller's
    // (its field names mean nothing to the caller).
    if (err instanceof ValidationError)
      throw new InternalError("Could not store the app's secret settings", err);
    throw err;
  }
}

/** Deletes secrets of an app that was not recorded after all; failures are logged, never thrown. */
export async function deleteAppSecrets(
  store: SecretStore,
  appId: string,
  names: readonly string[],
  traceparent: string,
  log: Logger,
): Promise<void> {
  for (const name of names) {
    try {
      await store.deleteSecret({ name: appSecretName(appId, name) }, { traceparent });
    } catch (err) {
      // Names only: the value never reaches a log line.
      log.warn({ err, appId, secret: name }, "could not delete the secret of an app that was not recorded");
    }
  }
}
