import type { HandlerFactory } from "@proximity/grpc";
import type { secretsV1 } from "@proximity/proto";
import type { SecretsDeps } from "../../app/deps.js";
import { getKeyUsage } from "../../app/get-key-usage.js";
import { accessContext } from "../../domain/access-context.js";
import { ANY_IDENTITY } from "../callers.js";

export function getKeyUsageHandler(h: HandlerFactory, deps: SecretsDeps) {
  return h.unary<secretsV1.GetKeyUsageRequest, secretsV1.GetKeyUsageResponse>(
    "GetKeyUsage",
    { callers: ANY_IDENTITY },
    (_req, ctx) => getKeyUsage(deps, accessContext(ctx.caller, ctx.traceparent)),
  );
}
