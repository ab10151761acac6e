import type { HandlerFactory, ServiceRegistration } from "@proximity/grpc";
import { hostsV1 } from "@proximity/proto";
import type { HostsDeps } from "../app/deps.js";
import { checkHostHandler } from "./handlers/check-host.js";
import { createHostHandler } from "./handlers/create-host.js";
import { deleteHostHandler } from "./handlers/delete-host.js";
import { getHostHandler } from "./handlers/get-host.js";
import { getHostConnectionHandler } from "./handlers/get-host-connection.js";
import { listHostsHandler } from "./handlers/list-hosts.js";
import { listNodesHandler } from "./handlers/list-nodes.js";
import { resolvePlacementHandler } from "./handlers/resolve-placement.js";
import { updateHostHandler } from "./handlers/update-host.js";

/** The HostsService registration for createGrpcServer. */
export function hostsServiceRegistration(h: HandlerFactory, deps: HostsDeps): ServiceRegistration {
  const implementation: hostsV1.HostsServiceServer = {
    createHost: createHostHandler(h, deps),
    listHosts: listHostsHandler(h, deps),
    getHost: getHostHandler(h, deps),
    deleteHost: deleteHostHandler(h, deps),
    listNodes: listNodesHandler(h, deps),
    resolvePlacement: resolvePlacementHandler(h, deps),
    getHostConnection: getHostConnectionHandler(h, deps),
    updateHost: updateHostHandler(h, deps),
    checkHost: checkHostHandler(h, deps),
  };
  return { name: "proximity.hosts.v1.HostsService", definition: hostsV1.HostsServiceService, implementation };
}
