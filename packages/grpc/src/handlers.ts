import { status as GrpcStatus, type handleUnaryCall, Metadata, type ServerUnaryCall } from "@grpc/grpc-js";
import { PermissionDeniedError, toProximityError, UnauthenticatedError } from "@proximity/errors";
import type { ServiceKeys } from "@proximity/identity";
import type { Logger } from "@proximity/logger";
import { type EndUser, MetadataKeys, metadataString } from "./call-context.js";
import { verifyServiceToken } from "./service-auth.js";
import { grpcStatusOf } from "./status.js";

/** What a use-case learns about the call. */
export interface CallContext {
  /** The authenticated calling service. */
  readonly caller: string;
  /** The end user, when a trusted caller (the gateway) passed one. */
  readonly user: EndUser | undefined;
  readonly traceparent: string;
  /** The gateway's request id, when the call stems from an HTTP request. */
  readonly requestId: string | undefined;
  readonly log: Logger;
  /** Aborted when the client cancels or its deadline passes. */
  readonly signal: AbortSignal;
}

export interface HandlerFactoryOptions {
  readonly keys: ServiceKeys;
  readonly logger: Logger;
  /** Callers allowed to pass an end user (default: api-gateway). */
  readonly userTrustedCallers?: readonly string[];
}

export interface UnaryOptions {
  /** Calling services allowed to use this RPC. */
  readonly callers: readonly string[];
}

/** Wraps async use-case functions as grpc-js unary handlers. */
export interface HandlerFactory {
  unary<Req, Res>(
    name: string,
    options: UnaryOptions,
    fn: (req: Req, ctx: CallContext) => Promise<Res>,
  ): handleUnaryCall<Req, Res>;
}

/**
 * Every RPC of every service goes through this wrapper: it authenticates the calling service,
 * applies the per-RPC caller allow-list, builds a child logger with trace ids, and maps typed
 * errors to gRPC statuses. Error details are the errors' client-safe messages; anything
 * unexpected becomes INTERNAL "Internal error" and is logged with its cause.
 */
export function createHandlerFactory(options: HandlerFactoryOptions): HandlerFactory {
  const trusted = new Set(options.userTrustedCallers ?? ["api-gateway"]);
  return {
    unary<Req, Res>(
      name: string,
      unaryOptions: UnaryOptions,
      fn: (req: Req, ctx: CallContext) => Promise<Res>,
    ) {
      const allowed = new Set(unaryOptions.callers);
      return (call: ServerUnaryCall<Req, Res>, callback) => {
        const md = call.metadata;
        const traceparent = metadataString(md, MetadataKeys.traceparent) ?? "";
        const requestId = metadataString(md, MetadataKeys.requestId);
        const log = options.logger.child({ rpc: name, traceId: traceparent.split("-")[1], requestId });
        const controller = new AbortController();
        call.on("cancelled", () => controller.abort());
        const run = async (): Promise<Res> => {
          const bearer = metadataString(md, MetadataKeys.authorization)?.replace(/^Bearer /, "");
          const caller = verifyServiceToken(options.keys, bearer);
          if (!caller) throw new UnauthenticatedError("Service authentication required");
          if (!allowed.has(caller)) throw new PermissionDeniedError(`Service ${caller} may not call ${name}`);
          const userId = metadataString(md, MetadataKeys.userId);
          const user =
            userId && trusted.has(caller)
              ? { id: userId, isAdmin: metadataString(md, MetadataKeys.userAdmin) === "1" }
              : undefined;
          const ctx: CallContext = {
            caller,
            user,
            traceparent,
            requestId,
            signal: controller.signal,
            log: log.child({ caller, userId: user?.id }),
          };
          return fn(call.request, ctx);
        };
        run().then(
          (res) => callback(null, res as never),
          (err: unknown) => {
            const e = toProximityError(err);
            if (e.code === "INTERNAL") log.error({ err }, "rpc failed");
            else log.info({ code: e.code, reason: e.message }, "rpc rejected");
            const trailer = new Metadata();
            if (e.fieldErrors.length)
              trailer.set(MetadataKeys.fieldErrors, Buffer.from(JSON.stringify(e.fieldErrors), "utf8"));
            callback({
              code: grpcStatusOf(e.code) ?? GrpcStatus.INTERNAL,
              details: e.message,
              metadata: trailer,
            });
          },
        );
      };
    },
  };
}
