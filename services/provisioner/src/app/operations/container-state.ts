/** The state of an operation's container as Proxmox reports it now. */
import { NotFoundError } from "@proximity/errors";
import type { HostConnection } from "./context.js";
import { ContainerMissingError } from "./errors.js";

export type ContainerState = "running" | "stopped";

/** Running or stopped; ContainerMissingError (permanent) when the node has no such container. */
export async function readContainerState(
  connection: HostConnection,
  node: string,
  vmid: number,
): Promise<ContainerState> {
  try {
    return (await connection.pve.containerStatus(node, vmid)).status === "running" ? "running" : "stopped";
  } catch (err) {
    if (err instanceof NotFoundError) throw new ContainerMissingError(vmid, node);
    throw err;
  }
}

/** Best effort, for reports after a failure: the state, or "" when it cannot be known. */
export async function probeContainerState(
  connection: HostConnection | undefined,
  node: string,
  vmid: number,
): Promise<ContainerState | ""> {
  if (!connection || vmid <= 0) return "";
  return readContainerState(connection, node, vmid).catch(() => "" as const);
}

/** The container's first IPv4 address from Proxmox (adopted containers run no command of ours). */
export async function containerAddress(
  connection: HostConnection,
  node: string,
  vmid: number,
): Promise<string> {
  const interfaces = await connection.pve.containerInterfaces(node, vmid).catch(() => []);
  for (const i of interfaces) {
    const ip = i.inet?.split("/")[0] ?? "";
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(ip) && !ip.startsWith("127.")) return ip;
  }
  return "";
}
