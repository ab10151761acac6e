import type { HandlerFactory, ServiceRegistration } from "@proximity/grpc";
import { secretsV1 } from "@proximity/proto";
import type { SecretsDeps } from "../app/deps.js";
import { getKeyUsageHandler } from "./handlers/get-key-usage.js";
import { rewrapDataKeysHandler } from "./handlers/rewrap-data-keys.js";

/** The SecretsAdminService registration (operators: key rotation). */
export function secretsAdminServiceRegistration(h: HandlerFactory, deps: SecretsDeps): ServiceRegistration {
  const implementation: secretsV1.SecretsAdminServiceServer = {
    rewrapDataKeys: rewrapDataKeysHandler(h, deps),
    getKeyUsage: getKeyUsageHandler(h, deps),
  };
  return {
    name: "proximity.secrets.v1.SecretsAdminService",
    definition: secretsV1.SecretsAdminServiceService,
    implementation,
  };
}
