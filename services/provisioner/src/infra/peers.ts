/** gRPC clients of the services the provisioner calls. */
import { createServiceClient, type PromiseClient, type ServiceKeys } from "@proximity/grpc";
import { hostsV1, secretsV1 } from "@proximity/proto";
import type { Tracer } from "@proximity/telemetry";

export type HostsClient = PromiseClient<hostsV1.HostsServiceServer>;
export type SecretsClient = PromiseClient<secretsV1.SecretsServiceServer>;

export interface Peers {
  readonly hosts: HostsClient;
  readonly secrets: SecretsClient;
  close(): void;
}

export function createPeers(
  addresses: { hosts: string; secrets: string },
  keys: ServiceKeys,
  tracer?: Tracer,
): Peers {
  const hosts = createServiceClient<hostsV1.HostsServiceServer>(hostsV1.HostsServiceService, {
    address: addresses.hosts,
    audience: "hosts",
    keys,
    ...(tracer ? { tracer } : {}),
  });
  const secrets = createServiceClient<secretsV1.SecretsServiceServer>(secretsV1.SecretsServiceService, {
    address: addresses.secrets,
    audience: "secrets",
    keys,
    ...(tracer ? { tracer } : {}),
  });
  return {
    hosts,
    secrets,
    close: () => {
      hosts.close();
      secrets.close();
    },
  };
}
