/**
 * gRPC bootstrap shared by every service: mutual-TLS server with health and reflection,
 * authenticated handler wrapper, typed promise clients with deadlines and per-call signed
 * tokens, service identity, status mapping.
 */

export type { ServiceIdentity, ServiceKeys } from "@proximity/identity";
export { generateServiceKeys, loadServiceKeys, ServiceIdentities } from "@proximity/identity";
export type { CallOptions, EndUser } from "./call-context.js";
export { MetadataKeys } from "./call-context.js";
export type { CallClaims, CallTokenCheck, CallTokenRequest } from "./call-token.js";
export { CALL_TOKEN_TTL_S, createCallToken, verifyCallToken } from "./call-token.js";
export type { PromiseClient, ServiceClientOptions } from "./client.js";
export { createServiceClient } from "./client.js";
export type { CallContext, HandlerFactory, HandlerFactoryOptions, UnaryOptions } from "./handlers.js";
export { createHandlerFactory } from "./handlers.js";
export type { ReplayGuard, ReplayGuardOptions } from "./replay-guard.js";
export { createReplayGuard } from "./replay-guard.js";
export type { GrpcServer, GrpcServerOptions, ServiceRegistration } from "./server.js";
export { createGrpcServer } from "./server.js";
export { errorFromGrpc, grpcStatusOf, httpStatusOfGrpc } from "./status.js";
export type { PeerChannel } from "./tls.js";
export { peerChannel, peerServiceOf, serverCredentials } from "./tls.js";
