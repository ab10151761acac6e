/**
 * The clone (or an app restored from another app's backup) gets its own copies of the source's
 * secret settings (`apps/<source>/env/<NAME>` → `apps/<new>/env/<NAME>`) and of its root password
 * (the copied disk has the same one), so deleting either app later leaves the other's intact.
 * Values pass through memory only.
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

/** The names copied, source → clone. */
export function copiedSecretNames(a: { readonly request: CopyRequest }): [string, string][] {
  const { sourceAppId, appId, secretEnvironment } = a.request;
  return [
    [rootPasswordSecretName(sourceAppId), rootPasswordSecretName(appId)],
    ...secretEnvironment.map((n): [string, string] => [
      appEnvSecretName(sourceAppId, n),
      appEnvSecretName(appId, n),
    ]),
  ];
}

export async function copySecrets(a: Attempt<CopyRequest>): Promise<void> {
  const { secrets } = a.deps.peers;
  const call = { traceparent: a.traceparent };
  await runJournaledStep(a, Step.copySecrets, "Copying the app's secret settings", async () => {
    for (const [from, to] of copiedSecretNames(a)) {
      let value: Buffer;
      try {
        value = (await secrets.getSecret({ name: from, operationId: a.request.operationId }, call)).value;
      } catch (err) {
        // An adopted source has no root password of ours; a missing setting stays missing.
        if (err instanceof NotFoundError) continue;
        throw err;
      }
      a.masked.push(value.toString("utf8"));
      await secrets.putSecret({ name: to, value, operationId: a.request.operationId }, call);
    }
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
  for (const [, copy] of copiedSecretNames(c)) {
    await c.deps.peers.secrets
      .deleteSecret({ name: copy }, { traceparent: c.traceparent })
      .catch((err: unknown) => {
        if (!(err instanceof NotFoundError)) c.log.warn({ err }, "could not delete a copied secret");
      });
  }
}
