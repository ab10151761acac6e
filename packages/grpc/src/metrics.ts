import { status as GrpcStatus } from "@grpc/grpc-js";
import { counter, histogram } from "@proximity/metrics";

/** RPCs answered, by gRPC service, method and status code name (OK, NOT_FOUND, …). */
export const grpcServerHandled = counter({
  name: "proximity_grpc_server_handled_total",
  help: "RPCs answered by this server, by gRPC service, method and status code",
  labelNames: ["service", "method", "code"],
});

/** Time to answer an RPC (authentication included), by gRPC service and method. */
export const grpcServerHandlingSeconds = histogram({
  name: "proximity_grpc_server_handling_seconds",
  help: "Time this server took to answer an RPC, by gRPC service and method",
  labelNames: ["service", "method"],
});

const CODE_NAMES = new Map<number, string>(
  Object.entries(GrpcStatus)
    .filter((entry): entry is [string, number] => typeof entry[1] === "number")
    .map(([name, code]) => [code, name]),
);

/**
 * Starts timing one RPC; the function returned records its outcome. The labels come from the
 * method's path (`/proximity.hosts.v1.HostsService/GetHost`), fixed by the server's definitions.
 */
export function timeRpc(path: string): (code: number) => void {
  const [, service = "unknown", method = "unknown"] = /^\/([^/]+)\/([^/]+)$/.exec(path) ?? [];
  const stop = grpcServerHandlingSeconds.startTimer({ service, method });
  return (code) => {
    stop();
    grpcServerHandled.inc({ service, method, code: CODE_NAMES.get(code) ?? "UNKNOWN" });
  };
}
