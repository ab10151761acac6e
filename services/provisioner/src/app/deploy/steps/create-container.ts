/**
 * Step 3: create the container. The containers row is written first: its unique (host, vmid)
 * constraint is the final guard, and it is checked before the irreversible effect rather than
 * after it. "Already exists" is judged by the mark in the description: ours (an earlier attempt
 * got that far) means continue, anyone else's means this VMID must be abandoned.
 */
import { randomBytes } from "node:crypto";
import { AlreadyExistsError, ConflictError, NotFoundError } from "@proximity/errors";
import type { CreateContainerParams, Upid } from "@proximity/proxmox";
import { releaseVmid, reserveVmid } from "../../../db/container.repository.js";
import { containerDescription, isCreatedBy, PROXIMITY_TAG } from "../../../domain/container-marker.js";
import type { DeployAttempt, HostConnection } from "../deploy-context.js";
import { VmidTakenError } from "../errors.js";
import { runJournaledStep } from "../journal-step.js";
import { runProxmoxTask } from "../proxmox-task.js";
import { DeployStep } from "../step-names.js";

/** Secret holding the generated root password of an app's container. */
export function rootPasswordSecretName(appId: string): string {
  return `apps/${appId}/root-password`;
}

/** Creates container `vmid` (or adopts the one an earlier attempt created); releases the lease after. */
export async function createContainer(
  a: DeployAttempt,
  connection: HostConnection,
  vmid: number,
): Promise<void> {
  const { operationId, appId, hostId, node } = a.request;
  await runJournaledStep(
    a,
    DeployStep.createContainer,
    `Creating container ${vmid} on ${node}`,
    async (previous) => {
      const held = await reserveVmid(a.deps.db, { hostId, vmid, node, appId, operationId });
      if (held === "taken") throw new VmidTakenError(vmid);
      await runProxmoxTask(a, connection, DeployStep.createContainer, previous, () =>
        startCreate(a, connection, vmid),
      );
      // The container exists and the containers row holds its VMID: the lease has done its job.
      await a.lease
        ?.release()
        .catch((err: unknown) => a.log.warn({ err, vmid }, "could not release the VMID lease"));
      a.lease = undefined;
      return undefined;
    },
  );
}

async function startCreate(a: DeployAttempt, connection: HostConnection, vmid: number): Promise<Upid | null> {
  const { operationId, hostId, node } = a.request;
  const params = await containerParams(a, vmid);
  // Fencing: this compare-and-set succeeds only if nobody took the lease since our last write.
  await a.lease?.renew();
  try {
    return await connection.pve.createContainer(node, params);
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
  }
  const config = await connection.pve
    .containerConfig(node, vmid)
    .catch((err: unknown): Record<string, unknown> => {
      if (err instanceof NotFoundError) return {}; // it lives on another node: not ours
      throw err;
    });
  if (isCreatedBy(config, operationId)) {
    if (config.lock) throw new ConflictError(`Container ${vmid} is still locked (${String(config.lock)})`);
    a.log.info({ vmid }, "container already created by this operation; continuing");
    return null;
  }
  await releaseVmid(a.deps.db, operationId, hostId, vmid);
  throw new VmidTakenError(vmid);
}

async function containerParams(a: DeployAttempt, vmid: number): Promise<CreateContainerParams> {
  const { settings } = a.deps;
  const { appId, operationId, hostname, resources } = a.request;
  return {
    vmid,
    ostemplate: settings.lxcTemplate,
    hostname,
    password: await rootPassword(a),
    cores: resources?.cores || 1,
    memory: resources?.memoryMb || 512,
    rootfs: `${settings.lxcStorage}:${resources?.diskGb || 8}`,
    net0: `name=eth0,bridge=${settings.lxcBridge},ip=dhcp`,
    unprivileged: true,
    features: "nesting=1,keyctl=1",
    onboot: true,
    tags: PROXIMITY_TAG,
    description: containerDescription(appId, operationId),
  };
}

/**
 * The container's root password: reused when an earlier attempt stored one (the container may
 * already have it), else generated and stored in the secrets service. Never logged.
 */
async function rootPassword(a: DeployAttempt): Promise<string> {
  const { secrets } = a.deps.peers;
  const name = rootPasswordSecretName(a.request.appId);
  const call = { traceparent: a.traceparent };
  try {
    return (await secrets.getSecret({ name }, call)).value.toString("utf8");
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
  const password = randomBytes(24).toString("base64url");
  await secrets.putSecret({ name, value: Buffer.from(password, "utf8") }, call);
  return password;
}
