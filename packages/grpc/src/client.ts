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
import { type CallOptions, MetadataKeys, metadataString, writeCallMetadata } from "./call-context.js";
import { createCallToken } from "./call-token.js";
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
}

/**
 * A typed promise client for a Proximity service over mutual TLS (the callee's certificate must
 * name `audience`). Every call carries a new token signed by this service and bound to the callee,
 * the method and the end user, the trace context, and a deadline. Failures reject with typed errors.
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
  for (const [method, spec] of Object.entries(definition)) {
    wrapper[method] = (request: unknown, callOptions?: CallOptions) =>
      new Promise((resolve, reject) => {
        const md = new Metadata();
        // A new token per call: it is good for this method, this end user, once.
        const token = createCallToken(options.keys, {
          audience: options.audience,
          method: spec.path,
          user: callOptions?.user,
        });
        writeCallMetadata(md, token, callOptions);
        const deadline = Date.now() + (callOptions?.deadlineMs ?? options.defaultDeadlineMs ?? 10_000);
        raw[method]!(request, md, { deadline }, (err: ServiceError | null, res: unknown) =>
          err ? reject(toTypedError(err)) : resolve(res),
        );
      });
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
