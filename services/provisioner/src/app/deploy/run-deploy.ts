/**
 * Deploy: create a marked container on a leased VMID, start it, install Docker, write the compose
 * file and the .env (through stdin), `docker compose up -d`, verify and report the address. The
 * run/claim/journal mechanism is the shared one (operations/run-operation.ts).
 */
import { prepareEnvFile } from "../operations/app-env.js";
import type { HostConnection } from "../operations/context.js";
import { DeadlinePassedError, isLate, stepStarted, TooLate } from "../operations/deadline.js";
import { runStep } from "../operations/journal-step.js";
import { placeContainer } from "../operations/placement/place-container.js";
import { completeOperation, type OperationSpec } from "../operations/run-operation.js";
import { Step } from "../operations/step-names.js";
import { resolveConnection } from "../operations/steps/resolve-connection.js";
import { startApp } from "../operations/steps/start-app.js";
import { startContainer } from "../operations/steps/start-container.js";
import { verifyApp } from "../operations/steps/verify-app.js";
import { writeAppFiles } from "../operations/steps/write-app-files.js";
import { cleanupFailedDeploy } from "./cleanup-failed-deploy.js";
import type { DeployAttempt, DeployRequest } from "./deploy-context.js";
import { deployCreator, rootPasswordOnce } from "./steps/create-container.js";
import { installDocker } from "./steps/install-docker.js";

export const deploySpec: OperationSpec<DeployRequest> = {
  kind: "deploy",
  run: (a) => runDeploy(a),
  cleanup: cleanupFailedDeploy,
};

async function runDeploy(a: DeployAttempt): Promise<void> {
  const { request } = a;
  // Built first: bad input (app id, variable names or values) fails before any effect on the host.
  const env = await prepareEnvFile(a);
  const connection = await runStep(Step.resolveConnection, () =>
    resolveConnection(a.deps, request, { traceparent: a.traceparent }),
  );
  a.connection = connection;
  // A request that waited for its node past the operation's deadline: the app is its owner's again
  // (failed by the applications service's reaper), so nothing may be created for it now.
  if (isLate(request.notAfter) && !(await stepStarted(a, Step.createContainer)))
    throw new DeadlinePassedError(TooLate.deploy);
  const password = rootPasswordOnce(a);
  try {
    await deployWith(a, env, connection, password.get);
  } finally {
    await password.settled(); // no write of it outlives the attempt
  }
}

async function deployWith(
  a: DeployAttempt,
  env: string,
  connection: HostConnection,
  password: () => Promise<string>,
): Promise<void> {
  const { request } = a;
  const vmid = await placeContainer(a, connection, deployCreator(a, connection, password));
  // A first attempt has just created the container (it has no earlier journal to resume).
  await startContainer(a, connection, vmid, { justCreated: a.attempt === 1 });
  await installDocker(a, connection, vmid);
  await writeAppFiles(
    a,
    connection,
    vmid,
    { compose: request.compose, env },
    Step.writeAppFiles,
    "Writing the app's compose file",
  );
  await startApp(a, connection, vmid);
  const ipAddress = await verifyApp(a, connection, vmid);
  await completeOperation(a, { vmid, ipAddress, containerStatus: "running", message: "deployed" });
}
