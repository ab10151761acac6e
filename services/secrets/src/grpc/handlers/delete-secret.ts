import type { HandlerFactory } from "@proximity/grpc";
import type { secretsV1 } from "@proximity/proto";
import { deleteSecret } from "../../app/delete-secret.js";
import type { SecretsDeps } from "../../app/deps.js";
import { accessContext } from "../../domain/access-context.js";
import { ANY_SERVICE } from "../callers.js";

export function deleteSecretHandler(h: HandlerFactory, deps: SecretsDeps) {
  return h.unary<secretsV1.DeleteSecretRequest, secretsV1.DeleteSecretResponse>(
    "DeleteSecret",
    { callers: ANY_SERVICE },
    async (req, ctx) => {
      await deleteSecret(deps, accessContext(ctx.caller, ctx.traceparent, req.operationId), req.name);
      return {};
    },
  );
}
