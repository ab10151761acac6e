import type { MigrationSet } from "@proximity/db";
import * as initial from "./0001_initial.js";
import * as adminAuditActions from "./0002_admin_audit_actions.js";
import * as auditTraceAndOperation from "./0003_audit_trace_and_operation.js";

/** Every migration of the secrets schema, in order. */
export const secretsMigrations: MigrationSet = {
  "0001_initial": initial,
  "0002_admin_audit_actions": adminAuditActions,
  "0003_audit_trace_and_operation": auditTraceAndOperation,
};
