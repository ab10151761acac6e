/**
 * ADOPT: take an existing container under management without modifying it. Its config and status
 * are read; it is refused (for good, with a clear reason) when it carries another app's Proximity
 * mark or another app already holds it in the containers table; otherwise it is recorded there
 * (the unique (host, vmid) constraint settles two adopts racing for it). OperationSucceeded carries
 * what was found (secret-looking configuration keys left out), the state and the address if known.
 */
import { NotFoundError } from "@proximity/errors";
import type { applicationsEventsV1, provisionerEventsV1 } from "@proximity/proto";
import { releaseVmid, reserveVmid } from "../../db/container.repository.js";
import { diskGb, reportableConfig } from "../../domain/adopted-config.js";
import { markedAppId } from "../../domain/container-marker.js";
import { containerAddress } from "../operations/container-state.js";
import type { Attempt, HostConnection } from "../operations/context.js";
import { ContainerMissingError, OperationRefusedError } from "../operations/errors.js";
import { runJournaledStep, runStep } from "../operations/journal-step.js";
import { completeOperation, type OperationSpec } from "../operations/run-operation.js";
import { Step } from "../operations/step-names.js";
import { connect } from "../operations/steps/connect.js";

export type AdoptRequest = applicationsEventsV1.AppAdoptRequested;
type AdoptAttempt = Attempt<AdoptRequest>;

export const adoptSpec: OperationSpec<AdoptRequest> = {
  kind: "adopt",
  vmidOf: (r) => r.vmid || null,
  run: runAdopt,
  // A container recorded by this operation is forgotten again; the container itself was never touched.
  cleanup: async ({ deps, request }) => {
    await releaseVmid(deps.db, request.operationId, request.hostId, request.vmid);
    return "";
  },
};

async function runAdopt(a: AdoptAttempt): Promise<void> {
  const { hostId, node, vmid, appId, operationId } = a.request;
  if (vmid <= 0) throw new OperationRefusedError("No container was named to adopt");
  const connection = await connect(a);
  const found = await runStep(Step.inspectContainer, () => inspect(a, connection));
  await runJournaledStep(a, Step.recordContainer, `Recording container ${vmid}`, async () => {
    if ((await reserveVmid(a.deps.db, { hostId, vmid, node, appId, operationId })) === "taken") {
      const holder = await a.deps.db
        .selectFrom("containers")
        .select("app_id")
        .where("host_id", "=", hostId)
        .where("vmid", "=", vmid)
        .executeTakeFirst();
      if (holder?.app_id !== appId) {
        throw new OperationRefusedError(`Container ${vmid} is already managed by another app`);
      }
    }
    return undefined;
  });
  await completeOperation(a, {
    vmid,
    ipAddress: found.status === "running" ? await containerAddress(connection, node, vmid) : "",
    containerStatus: found.status,
    message: `adopted container ${vmid}`,
    adopted: found.adopted,
  });
}

async function inspect(
  a: AdoptAttempt,
  connection: HostConnection,
): Promise<{ status: "running" | "stopped"; adopted: provisionerEventsV1.AdoptedContainer }> {
  const { node, vmid, appId } = a.request;
  let config: Record<string, unknown>;
  let status: string;
  try {
    [config, { status }] = await Promise.all([
      connection.pve.containerConfig(node, vmid),
      connection.pve.containerStatus(node, vmid),
    ]);
  } catch (err) {
    if (err instanceof NotFoundError) throw new ContainerMissingError(vmid, node);
    throw err;
  }
  const owner = markedAppId(config.description);
  if (owner !== undefined && owner !== appId) {
    throw new OperationRefusedError(`Container ${vmid} carries the mark of another Proximity app`);
  }
  if (config.template === 1 || config.template === "1") {
    throw new OperationRefusedError(`Container ${vmid} is a template and cannot be adopted`);
  }
  return {
    status: status === "running" ? "running" : "stopped",
    adopted: {
      hostname: typeof config.hostname === "string" ? config.hostname : "",
      cores: Number(config.cores ?? 0) || 0,
      memoryMb: Number(config.memory ?? 0) || 0,
      diskGb: diskGb(config.rootfs),
      ostype: typeof config.ostype === "string" ? config.ostype : "",
      config: reportableConfig(config),
    },
  };
}
