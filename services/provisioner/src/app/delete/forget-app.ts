/**
 * The records of a deleted app: its containers rows, its secrets (the container's root password
 * and each secret environment variable; one already gone is fine) and any VMID lease an operation
 * of this app still holds on the container's VMID. Journaled as one idempotent step.
 */
import { NotFoundError } from "@proximity/errors";
import { forgetContainersOfApp } from "../../db/container.repository.js";
import { findOperation } from "../../db/operation.repository.js";
import { runJournaledStep } from "../operations/journal-step.js";
import { appEnvSecretName, rootPasswordSecretName } from "../operations/secret-names.js";
import { Step } from "../operations/step-names.js";
import type { DeleteAttempt } from "./run-delete.js";

export async function forgetApp(a: DeleteAttempt, vmid: number | null): Promise<void> {
  const { db, peers, leases } = a.deps;
  const { hostId, appId, secretEnvironment } = a.request;
  await runJournaledStep(a, Step.forgetApp, "Removing the app's records and secrets", async () => {
    const names = [
      rootPasswordSecretName(appId),
      ...secretEnvironment.map((n) => appEnvSecretName(appId, n)),
    ];
    for (const name of names) {
      await peers.secrets
        .deleteSecret({ name, operationId: a.request.operationId }, { traceparent: a.traceparent })
        .catch((err: unknown) => {
          if (!(err instanceof NotFoundError)) throw err;
        });
    }
    if (vmid !== null) {
      const holder = await leases.holder(hostId, vmid);
      if (holder !== null && (await findOperation(db, holder))?.app_id === appId) {
        await leases.releaseIfHeld(hostId, vmid, holder);
      }
    }
    await forgetContainersOfApp(db, hostId, appId);
    return undefined;
  });
}
