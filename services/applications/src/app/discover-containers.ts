import { ValidationError } from "@proximity/errors";
import type { PromiseClient } from "@proximity/grpc";
import type { provisionerV1 } from "@proximity/proto";
import { liveVmidsOnHost } from "../db/app.repository.js";
import type { ApplicationsDb } from "../db/database.js";

/** The part of the provisioner the applications service asks (containers a host reports). */
export type ContainerDiscovery = Pick<
  PromiseClient<provisionerV1.ProvisionerServiceServer>,
  "listHostContainers"
>;

/**
 * Containers of a host that Proximity does not manage: neither a live app here nor carrying a
 * Proximity mark (a container of an app being deployed or removed, or of another installation).
 */
export async function discoverContainers(
  deps: { readonly db: ApplicationsDb; readonly provisioner: ContainerDiscovery },
  hostId: string,
  traceparent: string,
): Promise<provisionerV1.HostContainer[]> {
  if (!hostId) throw new ValidationError("Invalid request", [{ field: "host_id", message: "is required" }]);
  const [{ items }, managed] = await Promise.all([
    deps.provisioner.listHostContainers({ hostId }, { traceparent }),
    liveVmidsOnHost(deps.db, hostId),
  ]);
  return items.filter((c) => !c.proximityAppId && !managed.has(c.vmid));
}
