import type { HandlerFactory, ServiceRegistration } from "@proximity/grpc";
import { secretsV1 } from "@proximity/proto";
import type { SecretsDeps } from "../app/deps.js";
import { deleteSecretHandler } from "./handlers/delete-secret.js";
import { getSecretHandler } from "./handlers/get-secret.js";
import { putSecretHandler } from "./handlers/put-secret.js";

/** The SecretsService registration for createGrpcServer. */
export function secretsServiceRegistration(h: HandlerFactory, deps: SecretsDeps): ServiceRegistration {
  const implementation: secretsV1.SecretsServiceServer = {
    putSecret: putSecretHandler(h, deps),
    getSecret: getSecretHandler(h, deps),
    deleteSecret: deleteSecretHandler(h, deps),
  };
  return {
    name: "proximity.secrets.v1.SecretsService",
    definition: secretsV1.SecretsServiceService,
    implementation,
  };
}
