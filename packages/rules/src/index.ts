/**
 * The input rules of the platform, written once for every layer that checks them: the web console
 * (in the browser, before sending), the gateway (at the edge) and the services that own the data.
 * Each rule answers with an issue code and exposes its limits; the wording is each consumer's own
 * (the API's field errors, the console's plain words). Pure TypeScript, no dependencies, nothing
 * Node-specific: it runs in the browser bundle as in the services.
 */

export type { ActionSubject, AppAction, AppActionIssue } from "./app-actions.js";
export { APP_ACTIONS, appActionIssue } from "./app-actions.js";
export { BACKUP_POLICY_LIMITS } from "./backup-policy.js";
export type { HostnameIssue } from "./hostname.js";
export {
  HOSTNAME_FIELD_MESSAGES,
  HOSTNAME_MAX_LENGTH,
  HOSTNAME_PART_MAX_LENGTH,
  hostnameIssue,
} from "./hostname.js";
export { isNodeName, NODE_NAME_FIELD_MESSAGE } from "./node-name.js";
export type { PasswordIssue } from "./password-policy.js";
export { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordIssue } from "./password-policy.js";
export {
  isStorageId,
  STORAGE_ID_FIELD_MESSAGE,
  STORAGE_ID_MAX_LENGTH,
  STORAGE_ID_PATTERN,
} from "./storage-id.js";
export type { UsernameIssue } from "./username.js";
export { USERNAME_MAX_LENGTH, USERNAME_PATTERN, usernameIssue } from "./username.js";
