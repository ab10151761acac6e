import type { HandlerFactory } from "@proximity/grpc";
import type { secretsV1 } from "@proximity/proto";
import type { SecretsDeps } from "../../app/deps.js";
import { rewrapDataKeys } from "../../app/rewrap-data-keys.js";
import { accessContext } from "../../domain/access-context.js";
import { ANY_IDENTITY } from "../callers.js";

export function rewrapDataKeysHandler(h: HandlerFactory, deps: SecretsDeps) {
  return h.unary<secretsV1.RewrapDataKeysRequest, secretsV1.RewrapDataKeysResponse>(
    "RewrapDataKeys",
    { callers: ANY_IDENTITY },
    (req, ctx) =>
      rewrapDataKeys(deps, accessContext(ctx.caller, ctx.traceparent), {
        batchSize: req.batchSize,
        maxBatches: req.maxBatches,
      }),
  );
}
