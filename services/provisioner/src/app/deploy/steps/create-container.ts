/**
 * How a deploy creates its container (the placement itself is shared: operations/placement): from
 * the configured template, tagged and marked with the app and the operation, with a generated
 * root password kept in the secrets service.
 */
import { randomBytes } from "node:crypto";
import { NotFoundError } from "@proximity/errors";
import type { CreateContainerParams } from "@proximity/proxmox";
import { containerDescription, PROXIMITY_TAG } from "../../../domain/container-marker.js";
import type { HostConnection } from "../../operations/context.js";
import { runStep } from "../../operations/journal-step.js";
import type { ContainerCreator } from "../../operations/placement/create-on-vmid.js";
import { rootPasswordSecretName } from "../../operations/secret-names.js";
import { Step } from "../../operations/step-names.js";
import type { DeployAttempt } from "../deploy-context.js";

/** `password`: the container's root password, stored before the container is created (rootPasswordOnce). */
export function deployCreator(
  a: DeployAttempt,
  connection: HostConnection,
  password: () => Promise<string>,
): ContainerCreator {
  return {
    step: Step.createContainer,
    message: (vmid) => `Creating container ${vmid} on ${a.request.node}`,
    start: async (vmid) =>
      connection.pve.createContainer(a.request.node, containerParams(a, vmid, await password())),
  };
}

/**
 * The attempt's root password for the container, read or stored once, when first asked for. A
 * first attempt asks at once: it always creates the container, so the round trip to the secrets
 * service runs while a VMID is chosen, off the deploy's path. A later one asks only if its create
 * step still has to start the task (a container created by an earlier attempt keeps its password).
 * A failure is the create step's, which awaits it: handled from the start, never an unhandled
 * rejection meanwhile. `settled` waits for a read or write under way.
 */
export function rootPasswordOnce(a: DeployAttempt): {
  get(): Promise<string>;
  settled(): Promise<void>;
} {
  let asked: Promise<string> | undefined;
  const get = () => {
    if (!asked) {
      asked = runStep(Step.storeRootPassword, () => rootPassword(a));
      asked.catch(() => undefined);
    }
    return asked;
  };
  if (a.attempt === 1) void get();
  return {
    get,
    settled: async () => {
      await asked?.catch(() => undefined);
    },
  };
}

function containerParams(a: DeployAttempt, vmid: number, password: string): CreateContainerParams {
  const { settings } = a.deps;
  const { appId, operationId, hostname, resources } = a.request;
  return {
    vmid,
    ostemplate: settings.lxcTemplate,
    hostname,
    password,
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
 * The container's root password: reused when an earlier attempt of this operation stored one (the
 * container may already have it), else generated and stored in the secrets service. Never logged.
 * A first attempt skips the read, a secrets round trip that could only miss: nothing of this
 * operation exists yet, and a retried deploy is a new operation creating a new container.
 */
async function rootPassword(a: DeployAttempt): Promise<string> {
  const { secrets } = a.deps.peers;
  const name = rootPasswordSecretName(a.request.appId);
  const call = { traceparent: a.traceparent };
  if (a.attempt > 1) {
    try {
      return (await secrets.getSecret({ name, operationId: a.request.operationId }, call)).value.toString(
        "utf8",
      );
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }
  const password = randomBytes(24).toString("base64url");
  await secrets.putSecret(
    { name, value: Buffer.from(password, "utf8"), operationId: a.request.operationId },
    call,
  );
  return password;
}
