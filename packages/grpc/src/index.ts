/**
 * gRPC bootstrap shared by every service: server with health and reflection, authenticated
 * handler wrapper, typed promise clients with deadlines, service identity, status mapping.
 */
export { createGrpcServer } from "./server.js";
export type { GrpcServer, GrpcServerOptions, ServiceRegistration } from "./server.js";
export { createHandlerFactory } from "./handlers.js";
export type { CallContext, HandlerFactory, HandlerFactoryOptions, UnaryOptions } from "./handlers.js";
export { createServiceClient } from "./client.js";
export type { PromiseClient, ServiceClientOptions } from "./client.js";
export { MetadataKeys } from "./call-context.js";
export type { CallOptions, EndUser } from "./call-context.js";
export {
  loadServiceKeys,
  generateServiceKeys,
  exportServiceKeyPair,
  createTokenIssuer,
  verifyServiceToken,
} from "./service-auth.js";
export type { ServiceKeys } from "./service-auth.js";
export { grpcStatusOf, httpStatusOfGrpc, errorFromGrpc } from "./status.js";
