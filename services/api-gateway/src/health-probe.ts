import { Client, credentials } from "@grpc/grpc-js";

/** Reachability of a dependency as shown by GET /api/health. */
export type DependencyState = "ok" | "down";

/** Asks a service's grpc.health.v1 Check whether it is SERVING. */
export interface HealthProbe {
  check(deadlineMs?: number): Promise<DependencyState>;
  close(): void;
}

const SERVING = 1;

// grpc.health.v1 messages are tiny, so they are coded by hand: @proximity/proto generates the
// Health service but does not export it. HealthCheckRequest{service: ""} encodes to zero bytes
// (proto3 omits defaults); HealthCheckResponse is field 1, a varint enum (tag byte 0x08).
const encodeRequest = () => Buffer.alloc(0);
const decodeStatus = (bytes: Buffer): number => (bytes[0] === 0x08 ? (bytes[1] ?? 0) : 0);

/** A probe of `address` (host:port); the health service needs no caller authentication. */
export function createHealthProbe(address: string): HealthProbe {
  const client = new Client(address, credentials.createInsecure());
  return {
    check: (deadlineMs = 2_000) =>
      new Promise((resolve) => {
        client.makeUnaryRequest(
          "/grpc.health.v1.Health/Check",
          encodeRequest,
          decodeStatus,
          {},
          { deadline: Date.now() + deadlineMs },
          (err, status) => resolve(!err && status === SERVING ? "ok" : "down"),
        );
      }),
    close: () => client.close(),
  };
}
