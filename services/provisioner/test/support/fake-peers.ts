/**
 * Small in-test stand-ins for the hosts and secrets services, served over real gRPC with real
 * service authentication (only the provisioner may call them).
 */
import { NotFoundError, UnavailableError } from "@proximity/errors";
import { createGrpcServer, createHandlerFactory, type GrpcServer, type ServiceKeys } from "@proximity/grpc";
import { hostsV1, secretsV1 } from "@proximity/proto";
import { testLogger } from "@proximity/testing";

export interface FakeHost {
  readonly host: hostsV1.Host;
  readonly apiSecretName: string;
  readonly sshSecretName: string;
  readonly tlsCaPem?: string;
}

export interface FakePeers {
  readonly hostsAddress: string;
  readonly secretsAddress: string;
  /** Secret values by name (tests read and seed them). */
  readonly secrets: Map<string, Buffer>;
  /** Every secrets call, in order, with the operation id it carried ("" when none). */
  readonly secretCalls: SecretCall[];
  readonly hosts: Map<string, FakeHost>;
  /** The host id of every GetHostConnection call, in order. */
  readonly hostReads: string[];
  /** The next `count` PutSecret calls fail as UNAVAILABLE (0: none). */
  failPuts(count: number): void;
  stop(): Promise<void>;
}

export interface SecretCall {
  readonly method: "put" | "get" | "delete";
  readonly name: string;
  readonly operationId: string;
}

export async function startFakePeers(keys: Map<string, ServiceKeys>): Promise<FakePeers> {
  const logger = testLogger("fake-peers");
  const hosts = new Map<string, FakeHost>();
  const secrets = new Map<string, Buffer>();
  const secretCalls: SecretCall[] = [];
  const hostReads: string[] = [];
  const callers = { callers: ["provisioner"] };
  let failingPuts = 0;

  const hostsHandlers = createHandlerFactory({ keys: keys.get("hosts")!, logger });
  const hostsImpl: Partial<hostsV1.HostsServiceServer> = {
    getHostConnection: hostsHandlers.unary<
      hostsV1.GetHostConnectionRequest,
      hostsV1.GetHostConnectionResponse
    >("GetHostConnection", callers, async (req) => {
      hostReads.push(req.hostId);
      const found = hosts.get(req.hostId);
      if (!found) throw new NotFoundError("Host not found");
      return {
        host: found.host,
        apiSecretName: found.apiSecretName,
        sshSecretName: found.sshSecretName,
        tlsCaPem: found.tlsCaPem ?? "",
      };
    }),
    listHosts: hostsHandlers.unary<hostsV1.ListHostsRequest, hostsV1.ListHostsResponse>(
      "ListHosts",
      callers,
      async () => ({ items: [...hosts.values()].map((h) => h.host) }),
    ),
  };
  const secretsHandlers = createHandlerFactory({ keys: keys.get("secrets")!, logger });
  const secretsImpl: secretsV1.SecretsServiceServer = {
    putSecret: secretsHandlers.unary<secretsV1.PutSecretRequest, secretsV1.PutSecretResponse>(
      "PutSecret",
      callers,
      async (req) => {
        secretCalls.push({ method: "put", name: req.name, operationId: req.operationId ?? "" });
        if (failingPuts > 0) {
          failingPuts--;
          throw new UnavailableError("The secrets store is unavailable");
        }
        secrets.set(req.name, Buffer.from(req.value));
        return { name: req.name, version: 1 };
      },
    ),
    getSecret: secretsHandlers.unary<secretsV1.GetSecretRequest, secretsV1.GetSecretResponse>(
      "GetSecret",
      callers,
      async (req) => {
        secretCalls.push({ method: "get", name: req.name, operationId: req.operationId ?? "" });
        const value = secrets.get(req.name);
        if (!value) throw new NotFoundError("Secret not found");
        return { name: req.name, version: 1, value };
      },
    ),
    deleteSecret: secretsHandlers.unary<secretsV1.DeleteSecretRequest, secretsV1.DeleteSecretResponse>(
      "DeleteSecret",
      callers,
      async (req) => {
        secretCalls.push({ method: "delete", name: req.name, operationId: req.operationId ?? "" });
        secrets.delete(req.name);
        return {};
      },
    ),
  };
  const servers: GrpcServer[] = [
    createGrpcServer({
      logger,
      keys: keys.get("hosts")!,
      host: "127.0.0.1",
      port: 0,
      services: [
        {
          name: "proximity.hosts.v1.HostsService",
          definition: hostsV1.HostsServiceService,
          implementation: hostsImpl,
        },
      ],
    }),
    createGrpcServer({
      logger,
      keys: keys.get("secrets")!,
      host: "127.0.0.1",
      port: 0,
      services: [
        {
          name: "proximity.secrets.v1.SecretsService",
          definition: secretsV1.SecretsServiceService,
          implementation: secretsImpl,
        },
      ],
    }),
  ];
  const [hostsPort, secretsPort] = await Promise.all(servers.map((s) => s.start()));
  for (const s of servers) s.setServing(true);
  return {
    hostsAddress: `127.0.0.1:${hostsPort}`,
    secretsAddress: `127.0.0.1:${secretsPort}`,
    secrets,
    secretCalls,
    hosts,
    hostReads,
    failPuts: (count) => {
      failingPuts = count;
    },
    stop: async () => {
      await Promise.all(servers.map((s) => s.shutdown(1_000)));
    },
  };
}
