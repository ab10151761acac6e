import { randomBytes } from "node:crypto";
import type { ServiceDefinition } from "@grpc/grpc-js";
import {
  createServiceClient,
  generateServiceKeys,
  type PromiseClient,
  ServiceIdentities,
  type ServiceIdentity,
  type ServiceKeys,
} from "@proximity/grpc";
import type { Logger } from "@proximity/logger";
import { secretsV1 } from "@proximity/proto";
import { createTestDatabase, testLogger } from "@proximity/testing";
import { createSecretsService, loadSecretsConfig, type SecretsConfig } from "../src/index.js";

export type SecretsClient = PromiseClient<secretsV1.SecretsServiceServer>;
export type SecretsAdminClient = PromiseClient<secretsV1.SecretsAdminServiceServer>;

/** A 32-byte KEK, base64. */
export const newKek = (): string => randomBytes(32).toString("base64");

/** Config for a secrets service on a test database (port 0), with extra variables on top. */
export function secretsTestConfig(databaseUrl: string, extra: Record<string, string> = {}): SecretsConfig {
  return loadSecretsConfig({
    DATABASE_URL: databaseUrl,
    GRPC_PORT: "0",
    SERVICE_KEYS_DIR: "unused",
    ...extra,
  });
}

/** Starts a real secrets service; `clientAs(identity)` calls it as that service. */
export async function startSecrets(options: {
  databaseUrl: string;
  keys: Map<string, ServiceKeys>;
  env?: Record<string, string>;
  logger?: Logger;
}) {
  const service = createSecretsService(
    secretsTestConfig(options.databaseUrl, options.env ?? { SECRETS_KEK: newKek() }),
    {
      logger: options.logger ?? testLogger("secrets"),
      keys: options.keys.get("secrets")!,
    },
  );
  const { grpcPort } = await service.start();
  const clients: { close(): void }[] = [];
  function connect<S>(definition: ServiceDefinition, identity: ServiceIdentity): PromiseClient<S> {
    const client = createServiceClient<S>(definition, {
      address: `127.0.0.1:${grpcPort}`,
      audience: "secrets",
      keys: options.keys.get(identity)!,
    });
    clients.push(client);
    return client;
  }
  return {
    address: `127.0.0.1:${grpcPort}`,
    clientAs: (identity: ServiceIdentity): SecretsClient =>
      connect(secretsV1.SecretsServiceService, identity),
    /** A SecretsAdminService client calling as `identity` (operators are "sre"). */
    adminAs: (identity: ServiceIdentity): SecretsAdminClient =>
      connect(secretsV1.SecretsAdminServiceService, identity),
    async stop() {
      for (const c of clients) c.close();
      await service.stop();
    },
  };
}

/** A fresh database and identity keys for one test file. */
export async function secretsTestEnvironment() {
  return { database: await createTestDatabase(), keys: await generateServiceKeys(ServiceIdentities) };
}
