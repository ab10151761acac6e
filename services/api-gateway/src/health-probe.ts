import { Metadata } from "@grpc/grpc-js";
import { peerChannel, type ServiceKeys } from "@proximity/grpc";
import { healthV1 } from "@proximity/proto";

/** Reachability of a dependency as shown by GET /api/health. */
export type DependencyState = "ok" | "down";

/** Asks a service's grpc.health.v1 Check whether it is SERVING. */
export interface HealthProbe {
  check(deadlineMs?: number): Promise<DependencyState>;
  close(): void;
}

const { HealthCheckRequest, HealthCheckResponse_ServingStatus } = healthV1;

/**
 * A probe of the service `callee` at `address` (host:port), over the same mutual TLS as every
 * call; the health service needs no call token.
 */
export function createHealthProbe(address: string, callee: string, keys: ServiceKeys): HealthProbe {
  const channel = peerChannel(keys, callee);
  const client = new healthV1.HealthClient(address, channel.credentials, channel.options);
  // service "" asks for the server's overall status.
  const request = HealthCheckRequest.fromPartial({ service: "" });
  return {
    check: (deadlineMs = 2_000) =>
      new Promise((resolve) => {
        client.check(request, new Metadata(), { deadline: Date.now() + deadlineMs }, (err, response) =>
          resolve(!err && response.status === HealthCheckResponse_ServingStatus.SERVING ? "ok" : "down"),
        );
      }),
    close: () => client.close(),
  };
}
