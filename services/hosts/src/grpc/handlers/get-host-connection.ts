import type { HandlerFactory } from "@proximity/grpc";
import type { hostsV1 } from "@proximity/proto";
import type { HostsDeps } from "../../app/deps.js";
import { getHost } from "../../app/get-host.js";
import { toProtoHost } from "../host-mapper.js";

export function getHostConnectionHandler(h: HandlerFactory, deps: HostsDeps) {
  return h.unary<hostsV1.GetHostConnectionRequest, hostsV1.GetHostConnectionResponse>(
    "GetHostConnection",
    { callers: ["provisioner"] },
    async (req) => {
      const host = await getHost(deps.db, req.hostId, "host_id");
      return {
        host: toProtoHost(host),
        apiSecretName: host.api_secret_name,
        sshSecretName: host.ssh_secret_name,
        tlsCaPem: host.tls_ca_pem ?? "",
      };
    },
  );
}
