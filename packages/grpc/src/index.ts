/**
 * gRPC bootstrap shared by every service: server with health and reflection, authenticated
 * handler wrapper, typed promise clients with deadlines, service identity, status mapping.
 */

export type { ServiceIdentity, ServiceKeys } from "@proximity/identity";
export { generateServiceKeys, loadServiceKeys, ServiceIdentities } from "@proximity/identity";
export type { CallOptions, EndUser } from "./call-context.js";
export { MetadataKeys } from "./call-context.js";
export type { PromiseClient, ServiceClientOptions } from "./client.js";
export { createServiceClient } from "./client.js";
export type { CallContext, HandlerFactory, HandlerFactoryOptions, UnaryOptions } from "./handlers.js";
export { createHandlerFactory } from "./handlers.js";
export type { GrpcServer, GrpcServerOptions, ServiceRegistration } from "./server.js";
export { createGrpcServer } from "./server.js";
export { createTokenIssuer, verifyServiceToken } from "./service-auth.js";
export { errorFromGrpc, grpcStatusOf, httpStatusOfGrpc } from "./status.js";
