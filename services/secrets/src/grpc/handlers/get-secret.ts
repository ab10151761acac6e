import type { HandlerFactory } from "@proximity/grpc";
import type { secretsV1 } from "@proximity/proto";
import type { SecretsDeps } from "../../app/deps.js";
import { getSecret } from "../../app/get-secret.js";
import { accessContext } from "../../domain/access-context.js";
import { ANY_SERVICE } from "../callers.js";

export function getSecretHandler(h: HandlerFactory, deps: SecretsDeps) {
  return h.unary<secretsV1.GetSecretRequest, secretsV1.GetSecretResponse>(
    "GetSecret",
    { callers: ANY_SERVICE },
    (req, ctx) => getSecret(deps, accessContext(ctx.caller, ctx.traceparent, req.operationId), req.name),
  );
}
