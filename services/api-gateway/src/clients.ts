import { createServiceClient, type PromiseClient, type ServiceKeys } from "@proximity/grpc";
import { applicationsV1, backupsV1, hostsV1 } from "@proximity/proto";
import type { Tracer } from "@proximity/telemetry";

/** Typed gRPC clients of the services the gateway fronts. */
export interface GatewayClients {
  readonly applications: PromiseClient<applicationsV1.ApplicationsServiceServer>;
  readonly hosts: PromiseClient<hostsV1.HostsServiceServer>;
  readonly backups: PromiseClient<backupsV1.BackupsServiceServer>;
  close(): void;
}

export interface ServiceAddresses {
  readonly applications: string;
  readonly hosts: string;
  readonly backups: string;
}

export function createGatewayClients(
  addresses: ServiceAddresses,
  keys: ServiceKeys,
  tracer?: Tracer,
): GatewayClients {
  const traced = tracer ? { tracer } : {};
  const applications = createServiceClient<applicationsV1.ApplicationsServiceServer>(
    applicationsV1.ApplicationsServiceService,
    { address: addresses.applications, audience: "applications", keys, ...traced },
  );
  const hosts = createServiceClient<hostsV1.HostsServiceServer>(hostsV1.HostsServiceService, {
    address: addresses.hosts,
    audience: "hosts",
    keys,
    ...traced,
  });
  const backups = createServiceClient<backupsV1.BackupsServiceServer>(backupsV1.BackupsServiceService, {
    address: addresses.backups,
    audience: "backups",
    keys,
    ...traced,
  });
  return {
    applications,
    hosts,
    backups,
    close: () => {
      for (const client of [applications, hosts, backups]) client.close();
    },
  };
}
