import { type handleUnaryCall, status } from "@grpc/grpc-js";
import { UnavailableError } from "@proximity/errors";
import { createGrpcServer, createHandlerFactory, type ServiceKeys } from "@proximity/grpc";
import type { Logger } from "@proximity/logger";
import { provisionerV1, secretsV1 } from "@proximity/proto";

function unimplemented<Req, Res>(name: string): handleUnaryCall<Req, Res> {
  return (_call, callback) => callback({ code: status.UNIMPLEMENTED, details: `${name} is not faked` });
}

export interface FakeSecrets {
  readonly address: string;
  /** Live secrets: name → value (UTF-8). */
  readonly values: Map<string, string>;
  /** Every call, e.g. "put apps/<id>/env/PASSWORD", oldest first. */
  readonly calls: string[];
  /** When set, PutSecret answers UNAVAILABLE for names containing it. */
  failPutsContaining: string | undefined;
  stop(): Promise<void>;
}

/** The secrets service as far as applications uses it: put and delete, over real gRPC with service auth. */
export async function startFakeSecrets(keys: ServiceKeys, logger: Logger): Promise<FakeSecrets> {
  const h = createHandlerFactory({ keys, logger });
  const fake = {
    values: new Map<string, string>(),
    calls: [] as string[],
    failPutsContaining: undefined as string | undefined,
  };
  const implementation: secretsV1.SecretsServiceServer = {
    putSecret: h.unary<secretsV1.PutSecretRequest, secretsV1.PutSecretResponse>(
      "PutSecret",
      { callers: ["applications"] },
      async (req) => {
        fake.calls.push(`put ${req.name}`);
        if (fake.failPutsContaining && req.name.includes(fake.failPutsContaining)) {
          throw new UnavailableError("secrets store down");
        }
        fake.values.set(req.name, Buffer.from(req.value).toString("utf8"));
        return { name: req.name, version: 1 };
      },
    ),
    deleteSecret: h.unary<secretsV1.DeleteSecretRequest, secretsV1.DeleteSecretResponse>(
      "DeleteSecret",
      { callers: ["applications"] },
      async (req) => {
        fake.calls.push(`delete ${req.name}`);
        fake.values.delete(req.name);
        return {};
      },
    ),
    getSecret: unimplemented("GetSecret"),
  };
  const server = createGrpcServer({
    logger,
    keys,
    host: "127.0.0.1",
    port: 0,
    services: [
      {
        name: "proximity.secrets.v1.SecretsService",
        definition: secretsV1.SecretsServiceService,
        implementation,
      },
    ],
  });
  const port = await server.start();
  server.setServing(true);
  return Object.assign(fake, { address: `127.0.0.1:${port}`, stop: () => server.shutdown(1_000) });
}

export interface FakeProvisioner {
  readonly address: string;
  /** What ListHostContainers answers, per host id. */
  readonly containers: Map<string, provisionerV1.HostContainer[]>;
  stop(): Promise<void>;
}

/** The provisioner's ListHostContainers (discovery), answering from `containers`. */
export async function startFakeProvisioner(keys: ServiceKeys, logger: Logger): Promise<FakeProvisioner> {
  const h = createHandlerFactory({ keys, logger });
  const containers = new Map<string, provisionerV1.HostContainer[]>();
  const implementation: provisionerV1.ProvisionerServiceServer = {
    listHostContainers: h.unary<
      provisionerV1.ListHostContainersRequest,
      provisionerV1.ListHostContainersResponse
    >("ListHostContainers", { callers: ["applications"] }, async (req) => ({
      items: containers.get(req.hostId) ?? [],
    })),
    getOperation: unimplemented("GetOperation"),
    listAppOperations: unimplemented("ListAppOperations"),
    listDeadLetters: unimplemented("ListDeadLetters"),
    getDeadLetter: unimplemented("GetDeadLetter"),
    replayDeadLetter: unimplemented("ReplayDeadLetter"),
    listBreakers: unimplemented("ListBreakers"),
    resetBreaker: unimplemented("ResetBreaker"),
  };
  const server = createGrpcServer({
    logger,
    keys,
    host: "127.0.0.1",
    port: 0,
    services: [
      {
        name: "proximity.provisioner.v1.ProvisionerService",
        definition: provisionerV1.ProvisionerServiceService,
        implementation,
      },
    ],
  });
  const port = await server.start();
  server.setServing(true);
  return { address: `127.0.0.1:${port}`, containers, stop: () => server.shutdown(1_000) };
}
