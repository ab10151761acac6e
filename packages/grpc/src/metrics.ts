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

/** RPCs this process made, by gRPC service, method and status code name. */
export const grpcClientHandled = counter({
  name: "proximity_grpc_client_handled_total",
  help: "RPCs made by this process's clients, by gRPC service, method and status code",
  labelNames: ["service", "method", "code"],
});

/** Time from sending an RPC to its answer (deadline and network included), by service and method. */
export const grpcClientHandlingSeconds = histogram({
  name: "proximity_grpc_client_handling_seconds",
  help: "Time this process's clients waited for an RPC's answer, by gRPC service and method",
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
  return timer(path, grpcServerHandlingSeconds, grpcServerHandled);
}

/** The client side of timeRpc: one call made, recorded with the status code it ended with. */
export function timeClientRpc(path: string): (code: number) => void {
  return timer(path, grpcClientHandlingSeconds, grpcClientHandled);
}

/** `service` and `method` of a method path (`/proximity.hosts.v1.HostsService/GetHost`). */
export function rpcNamesOf(path: string): { service: string; method: string } {
  const [, service = "unknown", method = "unknown"] = /^\/([^/]+)\/([^/]+)$/.exec(path) ?? [];
  return { service, method };
}

/** The status code's name (OK, NOT_FOUND, …). */
export function codeName(code: number): string {
  return CODE_NAMES.get(code) ?? "UNKNOWN";
}

function timer(
  path: string,
  seconds: typeof grpcServerHandlingSeconds,
  handled: typeof grpcServerHandled,
): (code: number) => void {
  const labels = rpcNamesOf(path);
  const stop = seconds.startTimer(labels);
  return (code) => {
    stop();
    handled.inc({ ...labels, code: codeName(code) });
  };
}
