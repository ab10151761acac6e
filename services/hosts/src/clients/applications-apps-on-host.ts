import type { PromiseClient } from "@proximity/grpc";
import type { applicationsV1 } from "@proximity/proto";
import type { AppsOnHost } from "../app/ports.js";

/** AppsOnHost backed by the applications service (CountAppsOnHost, RetireHost, ReinstateHost). */
export function createApplicationsAppsOnHost(
  client: PromiseClient<applicationsV1.ApplicationsServiceServer>,
): AppsOnHost {
  return {
    count: async (hostId, meta) =>
      (await client.countAppsOnHost({ hostId }, { traceparent: meta.traceparent })).count,
    retire: async (hostId, meta) => {
      await client.retireHost({ hostId }, { traceparent: meta.traceparent });
    },
    reinstate: async (hostId, meta) => {
      await client.reinstateHost({ hostId }, { traceparent: meta.traceparent });
    },
  };
}
