import { status as GrpcStatus, type handleUnaryCall, Metadata, type ServerUnaryCall } from "@grpc/grpc-js";
import {
  PermissionDeniedError,
  toProximityError,
  UnauthenticatedError,
  UnavailableError,
} from "@proximity/errors";
import type { ServiceKeys } from "@proximity/identity";
import { type Logger, lazyChild } from "@proximity/logger";
import {
  contextFromTraceparent,
  failSpan,
  inSpan,
  noopTracer,
  type Span,
  SpanKind,
  type Tracer,
  traceIdOf,
  traceparentOf,
} from "@proximity/telemetry";
import { type EndUser, MetadataKeys, metadataString } from "./call-context.js";
import { type CallClaims, verifyCallToken } from "./call-token.js";
import { codeName, rpcNamesOf, timeRpc } from "./metrics.js";
import { createReplayGuard, type ReplayGuard } from "./replay-guard.js";
import { grpcStatusOf } from "./status.js";
import { peerServiceOf } from "./tls.js";

/** What a use-case learns about the call. */
export interface CallContext {
  /** The calling service, named alike by its certificate and its signed call token. */
  readonly caller: string;
  /** The end user from the signed call token, when a caller trusted with end users passed one. */
  readonly user: EndUser | undefined;
  /** The server span's traceparent (its trace continues the caller's). */
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
  /** Callers allowed to make calls for an end user (default: api-gateway); others passing one are refused. */
  readonly userTrustedCallers?: readonly string[];
  /** Unexpired call-token ids remembered per calling service (createReplayGuard's `perCaller`). */
  readonly replayCapacityPerCaller?: number;
  /** The service's tracer (Telemetry.tracer): one server span per RPC. Default: none. */
  readonly tracer?: Tracer;
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
 * Every RPC of every service goes through this wrapper: it authenticates the calling service
 * (authenticate, below), applies the per-RPC caller allow-list and the end-user trust, and only
 * then admits the token to the replay cache (so a service that may not make the call cannot fill
 * the cache and lock out those that may; each caller has a bounded share of it). It takes the end
 * user from the signed claims, builds a child logger with trace ids, and maps typed errors to gRPC
 * statuses. Each RPC is a server span, child of the caller's traceparent; the use-case runs inside
 * it (its own spans and events continue the trace) and logs carry its trace id.
 * Error details are the errors' client-safe messages; anything unexpected becomes INTERNAL
 * "Internal error" and is logged with its cause. One factory per service: its replay cache
 * covers every RPC it wraps.
 */
export function createHandlerFactory(options: HandlerFactoryOptions): HandlerFactory {
  const trusted = new Set(options.userTrustedCallers ?? ["api-gateway"]);
  const tracer = options.tracer ?? noopTracer;
  const replays = createReplayGuard(
    options.replayCapacityPerCaller === undefined ? {} : { perCaller: options.replayCapacityPerCaller },
  );
  return {
    unary<Req, Res>(
      name: string,
      unaryOptions: UnaryOptions,
      fn: (req: Req, ctx: CallContext) => Promise<Res>,
    ) {
      const allowed = new Set(unaryOptions.callers);
      return (call: ServerUnaryCall<Req, Res>, callback) => {
        const done = timeRpc(call.getPath());
        const md = call.metadata;
        const names = rpcNamesOf(call.getPath());
        const parent = contextFromTraceparent(metadataString(md, MetadataKeys.traceparent));
        const requestId = metadataString(md, MetadataKeys.requestId);
        const attributes = { "rpc.system": "grpc", "rpc.service": names.service, "rpc.method": names.method };
        const serve = async (span: Span): Promise<void> => {
          const traceparent = traceparentOf(span) ?? "";
          // Made when first used: most calls log nothing.
          const log = lazyChild(options.logger, { rpc: name, traceId: traceIdOf(traceparent), requestId });
          const controller = new AbortController();
          call.on("cancelled", () => controller.abort());
          const run = async (): Promise<Res> => {
            const claims = authenticate(call, options.keys);
            const caller = claims.iss;
            if (!allowed.has(caller))
              throw new PermissionDeniedError(`Service ${caller} may not call ${name}`);
            if (claims.sub !== undefined && !trusted.has(caller))
              throw new PermissionDeniedError(`Service ${caller} may not call ${name} for an end user`);
            admitOnce(replays, claims);
            const user: EndUser | undefined =
              claims.sub !== undefined ? { id: claims.sub, isAdmin: claims.adm === true } : undefined;
            const ctx: CallContext = {
              caller,
              user,
              traceparent,
              requestId,
              signal: controller.signal,
              log: lazyChild(log, { caller, userId: user?.id }),
            };
            return fn(call.request, ctx);
          };
          try {
            const res = await run();
            done(GrpcStatus.OK);
            span.setAttribute("rpc.grpc.status_code", GrpcStatus.OK);
            callback(null, res as never);
          } catch (err) {
            const e = toProximityError(err);
            const code = grpcStatusOf(e.code) ?? GrpcStatus.INTERNAL;
            done(code);
            span.setAttribute("rpc.grpc.status_code", code);
            // A refusal (not found, invalid, denied) is the server doing its job; only faults fail the span.
            if (SERVER_FAULTS.has(code)) {
              span.setAttribute("error.type", codeName(code));
              failSpan(span, err);
            }
            if (e.code === "INTERNAL") log.error({ err }, "rpc failed");
            else log.info({ code: e.code, reason: e.message }, "rpc rejected");
            const trailer = new Metadata();
            if (e.fieldErrors.length)
              trailer.set(MetadataKeys.fieldErrors, Buffer.from(JSON.stringify(e.fieldErrors), "utf8"));
            callback({
              code,
              details: e.message,
              metadata: trailer,
            });
          }
        };
        // serve answers every failure itself: nothing is left to reject.
        void inSpan(
          tracer,
          `${names.service}/${names.method}`,
          { kind: SpanKind.SERVER, attributes, parent },
          serve,
        );
      };
    },
  };
}

/** Codes that mean the server failed (OpenTelemetry's gRPC server span convention). */
const SERVER_FAULTS = new Set<number>([
  GrpcStatus.UNKNOWN,
  GrpcStatus.DEADLINE_EXCEEDED,
  GrpcStatus.UNIMPLEMENTED,
  GrpcStatus.INTERNAL,
  GrpcStatus.UNAVAILABLE,
  GrpcStatus.DATA_LOSS,
]);

/**
 * The caller is the service its verified TLS certificate names, and only when its call token
 * (signed, for us, for this method, unexpired) was issued by that same service: a service holding
 * another's token, or another's certificate, is refused. Replays are checked by admitOnce, after
 * the allow-list.
 */
function authenticate(call: ServerUnaryCall<unknown, unknown>, keys: ServiceKeys): CallClaims {
  const peer = peerServiceOf(call);
  if (!peer) throw new UnauthenticatedError("Service authentication required: no platform certificate");
  const bearer = metadataString(call.metadata, MetadataKeys.authorization)?.replace(/^Bearer /, "");
  const check = verifyCallToken(keys, bearer, call.getPath());
  if ("refused" in check) throw new UnauthenticatedError(`Service authentication required: ${check.refused}`);
  const { claims } = check;
  if (claims.iss !== peer)
    throw new UnauthenticatedError("Service authentication required: call token and certificate disagree");
  return claims;
}

/** Accepts a token once: a replay is UNAUTHENTICATED; a caller whose share of the cache is full is UNAVAILABLE. */
function admitOnce(replays: ReplayGuard, claims: CallClaims): void {
  const admitted = replays.admit(claims.iss, claims.jti, claims.exp);
  if (admitted === "replayed")
    throw new UnauthenticatedError("Service authentication required: call token replayed");
  if (admitted === "full") throw new UnavailableError("Too many calls to check for replays; retry shortly");
}
