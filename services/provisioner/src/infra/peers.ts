/** gRPC clients of the services the provisioner calls. */
import { createServiceClient, type PromiseClient, type ServiceKeys } from "@proximity/grpc";
import { hostsV1, secretsV1 } from "@proximity/proto";

export type HostsClient = PromiseClient<hostsV1.HostsServiceServer>;
export type SecretsClient = PromiseClient<secretsV1.SecretsServiceServer>;

export interface Peers {
  readonly hosts: HostsClient;
  readonly secrets: SecretsClient;
  close(): void;
}

export function createPeers(addresses: { hosts: string; secrets: string }, keys: ServiceKeys): Peers {
  const hosts = createServiceClient<hostsV1.HostsServiceServer>(hostsV1.HostsServiceService, {
    address: addresses.hosts,
    audience: "hosts",
    keys,
  });
  const secrets = createServiceClient<secretsV1.SecretsServiceServer>(secretsV1.SecretsServiceService, {
    address: addresses.secrets,
    audience: "secrets",
    keys,
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
