import { credentials, Metadata } from "@grpc/grpc-js";
import { healthV1 } from "@proximity/proto";

/** Reachability of a dependency as shown by GET /api/health. */
export type DependencyState = "ok" | "down";

/** Asks a service's grpc.health.v1 Check whether it is SERVING. */
export interface HealthProbe {
  check(deadlineMs?: number): Promise<DependencyState>;
  close(): void;
}

const { HealthCheckRequest, HealthCheckResponse_ServingStatus } = healthV1;

/** A probe of `address` (host:port); the health service needs no caller authentication. */
export function createHealthProbe(address: string): HealthProbe {
  const client = new healthV1.HealthClient(address, credentials.createInsecure());
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
