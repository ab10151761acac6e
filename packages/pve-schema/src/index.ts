/**
 * @proximity/pve-schema (tests only): holds requests and responses to the official Proxmox VE API
 * schema, so the client and the simulator are both refereed by the same checker.
 */
export type { EndpointMatch } from "./endpoints.js";
export { findMethod, matchEndpoint } from "./endpoints.js";
export { checkParams, checkRequest } from "./request.js";
export { checkReturns } from "./returns.js";
export type { MethodInfo, PropSchema, RecordedRequest, SchemaNode } from "./types.js";
export { checkWireValue } from "./wire-value.js";
