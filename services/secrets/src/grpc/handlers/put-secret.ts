import type { HandlerFactory } from "@proximity/grpc";
import type { secretsV1 } from "@proximity/proto";
import type { SecretsDeps } from "../../app/deps.js";
import { putSecret } from "../../app/put-secret.js";
import { accessContext } from "../../domain/access-context.js";
import { ANY_SERVICE } from "../callers.js";

export function putSecretHandler(h: HandlerFactory, deps: SecretsDeps) {
  return h.unary<secretsV1.PutSecretRequest, secretsV1.PutSecretResponse>(
    "PutSecret",
    { callers: ANY_SERVICE },
    (req, ctx) =>
      putSecret(deps, accessContext(ctx.caller, ctx.traceparent, req.operationId), {
        name: req.name,
        value: req.value,
      }),
  );
}
