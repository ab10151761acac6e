/**
 * The clone (or an app restored from another app's backup) gets its own copy of the source's root
 * password (the copied disk has the same one), so deleting either app later leaves the other's
 * intact. Its secret settings are stored by rewrite-env from the copy's own .env, which is what the
 * copy runs with (a backup's .env may be older than the source's current secrets). Values pass
 * through memory only.
 */
import { NotFoundError } from "@proximity/errors";
import type { Attempt, OperationRequest } from "../operations/context.js";
import { runJournaledStep } from "../operations/journal-step.js";
import { appEnvSecretName, rootPasswordSecretName } from "../operations/secret-names.js";
import { Step } from "../operations/step-names.js";

/** A request creating an app from another app's container or archive. */
export type CopyRequest = OperationRequest & {
  readonly sourceAppId: string;
  readonly secretEnvironment: readonly string[];
};

/** The secrets a copy gets under its own names: its root password and its secret settings. */
export function copiedSecretNames(a: { readonly request: CopyRequest }): string[] {
  const { appId, secretEnvironment } = a.request;
  return [rootPasswordSecretName(appId), ...secretEnvironment.map((n) => appEnvSecretName(appId, n))];
}

export async function copySecrets(a: Attempt<CopyRequest>): Promise<void> {
  const { secrets } = a.deps.peers;
  const call = { traceparent: a.traceparent };
  const { sourceAppId, appId, operationId } = a.request;
  await runJournaledStep(a, Step.copySecrets, "Copying the app's root password", async () => {
    let value: Buffer;
    try {
      value = (await secrets.getSecret({ name: rootPasswordSecretName(sourceAppId), operationId }, call))
        .value;
    } catch (err) {
      // An adopted source has no root password of ours.
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
    a.masked.push(value.toString("utf8"));
    await secrets.putSecret({ name: rootPasswordSecretName(appId), value, operationId }, call);
    return undefined;
  });
}

/** Cleanup after a failed attempt: the copies are deleted (best effort, logged; gone is fine). */
export async function deleteCopiedSecrets(c: {
  readonly request: CopyRequest;
  readonly deps: { readonly peers: Attempt["deps"]["peers"] };
  readonly traceparent: string;
  readonly log: Attempt["log"];
}): Promise<void> {
  for (const copy of copiedSecretNames(c)) {
    await c.deps.peers.secrets
      .deleteSecret({ name: copy }, { traceparent: c.traceparent })
      .catch((err: unknown) => {
        if (!(err instanceof NotFoundError)) c.log.warn({ err }, "could not delete a copied secret");
      });
  }
}
