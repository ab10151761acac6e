/**
 * The clone gets its own copies of the source's secret settings (`apps/<source>/env/<NAME>` →
 * `apps/<clone>/env/<NAME>`) and of its root password (the copied disk has the same one), so
 * deleting either app later leaves the other's intact. Values pass through memory only.
 */
import { NotFoundError } from "@proximity/errors";
import { runJournaledStep } from "../operations/journal-step.js";
import { appEnvSecretName, rootPasswordSecretName } from "../operations/secret-names.js";
import { Step } from "../operations/step-names.js";
import type { CloneAttempt } from "./run-clone.js";

/** The names copied, source → clone. */
export function copiedSecretNames(a: Pick<CloneAttempt, "request">): [string, string][] {
  const { sourceAppId, appId, secretEnvironment } = a.request;
  return [
    [rootPasswordSecretName(sourceAppId), rootPasswordSecretName(appId)],
    ...secretEnvironment.map((n): [string, string] => [
      appEnvSecretName(sourceAppId, n),
      appEnvSecretName(appId, n),
    ]),
  ];
}

export async function copySecrets(a: CloneAttempt): Promise<void> {
  const { secrets } = a.deps.peers;
  const call = { traceparent: a.traceparent };
  await runJournaledStep(a, Step.copySecrets, "Copying the app's secret settings", async () => {
    for (const [from, to] of copiedSecretNames(a)) {
      let value: Buffer;
      try {
        value = (await secrets.getSecret({ name: from }, call)).value;
      } catch (err) {
        // An adopted source has no root password of ours; a missing setting stays missing.
        if (err instanceof NotFoundError) continue;
        throw err;
      }
      a.masked.push(value.toString("utf8"));
      await secrets.putSecret({ name: to, value }, call);
    }
    return undefined;
  });
}
