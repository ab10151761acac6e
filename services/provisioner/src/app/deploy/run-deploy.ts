/**
 * One delivery of a deploy request: exactly one effect per operation. The operation row is
 * inserted once (duplicates find it), finished operations are acknowledged as duplicates, and a
 * running one is worked on only by the worker whose atomic claim succeeds. Each step consults the
 * journal first, so a retry continues where the last attempt stopped.
 */
import { type MessageContext, newTraceparent, PermanentFailure } from "@proximity/bus";
import { ValidationError } from "@proximity/errors";
import {
  claimOperation,
  findOperation,
  insertOperationIfAbsent,
  releaseClaim,
} from "../../db/operation.repository.js";
import { writeAppFilesScript } from "../../domain/deploy-scripts.js";
import { renderEnvFile } from "../../domain/env-file.js";
import type { DeployAttempt, DeployDeps, DeployRequest } from "./deploy-context.js";
import { OperationBusyError } from "./errors.js";
import { explainFailure, failureOf } from "./failure-reason.js";
import { runStep } from "./journal-step.js";
import { keepOwnership } from "./keep-ownership.js";
import { isPermanentFailure } from "./permanent-failure.js";
import { placeContainer } from "./place-container.js";
import { DeployStep } from "./step-names.js";
import { completeDeploy } from "./steps/complete-deploy.js";
import { installDocker } from "./steps/install-docker.js";
import { resolveConnection } from "./steps/resolve-connection.js";
import { startApp } from "./steps/start-app.js";
import { startContainer } from "./steps/start-container.js";
import { verifyApp } from "./steps/verify-app.js";
import { writeAppFiles } from "./steps/write-app-files.js";

/** Operation kind stored in the journal. */
export const DEPLOY_KIND = "deploy";

/**
 * Handles one delivery. Resolves when the operation is done (now or before); throws to have the
 * request redelivered, or PermanentFailure when retrying cannot help.
 */
export async function runDeploy(
  deps: DeployDeps,
  request: DeployRequest,
  ctx: MessageContext,
): Promise<void> {
  assertIdentified(request);
  const { db, workerId, settings } = deps;
  const { operationId, appId, hostId, node } = request;
  await insertOperationIfAbsent(db, { id: operationId, kind: DEPLOY_KIND, appId, hostId, node });
  const claimed = await claimOperation(db, operationId, workerId, settings.claimTtlMs, true);
  if (!claimed) {
    const status = (await findOperation(db, operationId))?.status;
    if (status === "succeeded" || status === "failed") {
      ctx.log.info({ operationId, status }, "operation already finished; duplicate request acknowledged");
      return;
    }
    throw new OperationBusyError();
  }
  const controller = new AbortController();
  const a: DeployAttempt = {
    deps,
    request,
    attempt: claimed.attempts,
    traceparent: ctx.traceparent || newTraceparent(),
    log: ctx.log.child({ operationId, appId, hostId }),
    signal: controller.signal,
  };
  const stopKeeping = keepOwnership(a, controller);
  try {
    await runSteps(a);
  } catch (err) {
    const reason = explainFailure(err, claimed.attempts);
    a.log.warn(
      { err, step: failureOf(err).step, attempt: claimed.attempts, reason },
      "deploy attempt failed",
    );
    // The VMID lease (if any) is not released: the retry re-adopts it, or its TTL frees it.
    await releaseClaim(db, operationId, workerId, reason).catch((e: unknown) =>
      a.log.error({ err: e }, "could not release the claim; it expires on its own"),
    );
    throw isPermanentFailure(err) ? new PermanentFailure(reason, { cause: err }) : err;
  } finally {
    stopKeeping();
    await a.connection?.close().catch(() => undefined);
  }
}

async function runSteps(a: DeployAttempt): Promise<void> {
  // Built first: bad input fails before any effect on the host.
  const filesScript = writeAppFilesScript(
    a.request.appId,
    a.request.compose,
    renderEnvFile(a.request.environment),
  );
  const connection = await runStep(DeployStep.resolveConnection, () =>
    resolveConnection(a.deps, a.request, { traceparent: a.traceparent }),
  );
  a.connection = connection;
  const vmid = await placeContainer(a, connection);
  await startContainer(a, connection, vmid);
  await installDocker(a, connection, vmid);
  await writeAppFiles(a, connection, vmid, filesScript);
  await startApp(a, connection, vmid);
  const ipAddress = await verifyApp(a, connection, vmid);
  await completeDeploy(a, vmid, ipAddress);
}

function assertIdentified(request: DeployRequest): void {
  const missing = (["operationId", "appId", "hostId", "node"] as const).filter((k) => !request[k]);
  if (missing.length > 0) {
    throw new PermanentFailure("invalid deploy request", {
      cause: new ValidationError(`The deploy request lacks ${missing.join(", ")}`),
    });
  }
}
