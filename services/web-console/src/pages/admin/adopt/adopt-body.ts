import type { BodyOf, DiscoveredContainer } from "../../../api/types";

export type AdoptBody = BodyOf<"/api/apps/adopt", "post">;

export interface AdoptValues {
  readonly hostname: string;
  readonly catalogId: string;
  readonly ownerId: string;
  readonly port: string;
}

export const emptyAdoptValues: AdoptValues = { hostname: "", catalogId: "", ownerId: "", port: "" };

/** The adoption request: blank choices are left out so the API applies its defaults (pure). */
export function toAdoptBody(hostId: string, container: DiscoveredContainer, values: AdoptValues): AdoptBody {
  const hostname = values.hostname.trim();
  const port = values.port.trim();
  return {
    host_id: hostId,
    node: container.node,
    vmid: container.vmid,
    ...(values.catalogId ? { catalog_id: values.catalogId } : {}),
    // Left out: the container's own hostname.
    ...(hostname ? { hostname } : {}),
    // Left out: the admin adopting it.
    ...(values.ownerId ? { owner_id: values.ownerId } : {}),
    ...(port ? { port: Number(port) } : {}),
  };
}
