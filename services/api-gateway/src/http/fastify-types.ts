import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { Principal } from "../app/principal.js";
import type { Access } from "../domain/access.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /** Who may call the route; routes without it need a signed-in user (secure by default). */
    access?: Access;
    /**
     * Static files (the web console): no credential is even looked at, so a request for one
     * costs no database lookup whatever cookie or token it carries.
     */
    anonymous?: boolean;
  }
  interface FastifyRequest {
    /** The authenticated caller, or null on anonymous requests. */
    principal: Principal | null;
    /** W3C traceparent passed to the services for this request. */
    traceparent: string;
  }
}

/** The gateway's fastify instance, typed by zod schemas. */
export type GatewayApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;
