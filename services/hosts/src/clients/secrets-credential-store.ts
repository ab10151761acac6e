import type { PromiseClient } from "@proximity/grpc";
import type { secretsV1 } from "@proximity/proto";
import type { CredentialStore } from "../app/ports.js";

/** CredentialStore backed by the secrets service (which lets this service put and delete, never get). */
export function createSecretsCredentialStore(
  client: PromiseClient<secretsV1.SecretsServiceServer>,
): CredentialStore {
  return {
    put: async (name, value, meta) => {
      await client.putSecret({ name, value }, { traceparent: meta.traceparent });
    },
    remove: async (name, meta) => {
      await client.deleteSecret({ name }, { traceparent: meta.traceparent });
    },
  };
}
