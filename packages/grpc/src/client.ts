import {
  type Client,
  type handleUnaryCall,
  Metadata,
  makeGenericClientConstructor,
  type ServiceDefinition,
  type ServiceError,
} from "@grpc/grpc-js";
import type { ProximityError } from "@proximity/errors";
import { ValidationError } from "@proximity/errors";
import type { ServiceKeys } from "@proximity/identity";
import {
  context,
  contextFromTraceparent,
  inSpan,
  noopTracer,
  SpanKind,
  type Tracer,
  traceparentOf,
} from "@proximity/telemetry";
import { type CallOptions, MetadataKeys, metadataString, writeCallMetadata } from "./call-context.js";
import { createCallToken } from "./call-token.js";
import { codeName, rpcNamesOf, timeClientRpc } from "./metrics.js";
import { errorFromGrpc } from "./status.js";
import { peerChannel } from "./tls.js";

/** Promise-returning methods for every unary RPC of a ts-proto `XxxServer` interface. */
export type PromiseClient<S> = {
  [K in keyof S]: S[K] extends handleUnaryCall<infer Req, infer Res>
    ? (request: Req, options?: CallOptions) => Promise<Res>
    : never;
} & { close(): void };

export interface ServiceClientOptions {
  /** host:port of the callee. */
  readonly address: string;
  /** The callee's service name: the token audience and the identity its certificate must name. */
  readonly audience: string;
  readonly keys: ServiceKeys;
  /** Deadline of every call unless overridden, default 10 000 ms. */
  readonly defaultDeadlineMs?: number;
  /** The calling service's tracer (Telemetry.tracer): one client span per call. Default: none. */
  readonly tracer?: Tracer;
}

/**
 * A typed promise client for a Proximity service over mutual TLS (the callee's certificate must
 * name `audience`). Every call carries a new token signed by this service and bound to the callee,
 * the method and the end user, the trace context, and a deadline. Failures reject with typed errors.
 * Each call is a client span (child of the active span, else of `traceparent`) whose traceparent
 * the callee continues, and is counted and timed (proximity_grpc_client_*).
 * @example
 * const hosts = createServiceClient<HostsServiceServer>(HostsServiceService, { address, audience: "hosts", keys });
 * const { host } = await hosts.getHost({ id }, { user, traceparent });
 */
export function createServiceClient<S>(
  definition: ServiceDefinition,
  options: ServiceClientOptions,
): PromiseClient<S> {
  const Ctor = makeGenericClientConstructor(definition, options.audience);
  const channel = peerChannel(options.keys, options.audience);
  const raw = new Ctor(options.address, channel.credentials, channel.options) as Client &
    Record<string, (...args: unknown[]) => unknown>;
  const wrapper: Record<string, unknown> = { close: () => raw.close() };
  const tracer = options.tracer ?? noopTracer;
  for (const [method, spec] of Object.entries(definition)) {
    const names = rpcNamesOf(spec.path);
    const attributes = { "rpc.system": "grpc", "rpc.service": names.service, "rpc.method": names.method };
    wrapper[method] = (request: unknown, callOptions?: CallOptions) => {
      // The active span is the parent; without one (a caller outside any span), the trace given.
      const active = context.active();
      const parent = traceparentOf(active)
        ? active
        : contextFromTraceparent(callOptions?.traceparent, active);
      return inSpan(
        tracer,
        `${names.service}/${names.method}`,
        { kind: SpanKind.CLIENT, attributes, parent },
        (span) =>
          new Promise((resolve, reject) => {
            const md = new Metadata();
            // A new token per call: it is good for this method, this end user, once.
            const token = createCallToken(options.keys, {
              audience: options.audience,
              method: spec.path,
              user: callOptions?.user,
            });
            writeCallMetadata(md, token, traceparentOf(span) ?? "", callOptions);
            const deadline = Date.now() + (callOptions?.deadlineMs ?? options.defaultDeadlineMs ?? 10_000);
            const done = timeClientRpc(spec.path);
            raw[method]!(request, md, { deadline }, (err: ServiceError | null, res: unknown) => {
              const code = err ? err.code : 0;
              done(code);
              span.setAttribute("rpc.grpc.status_code", code);
              if (err) {
                span.setAttribute("error.type", codeName(code));
                reject(toTypedError(err));
              } else resolve(res);
            });
          }),
      );
    };
  }
  return wrapper as PromiseClient<S>;
}

function toTypedError(err: ServiceError): ProximityError {
  const typed = errorFromGrpc(err);
  const fields = err.metadata ? metadataString(err.metadata, MetadataKeys.fieldErrors) : undefined;
  if (fields && typed instanceof ValidationError) {
    try {
      return new ValidationError(typed.message, JSON.parse(fields), err);
    } catch {
      return typed;
    }
  }
  return typed;
}
