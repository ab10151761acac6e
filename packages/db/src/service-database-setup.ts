import type { Logger } from "@proximity/logger";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { assertIdentifier } from "./database.js";
import { type MigrationSet, migrateToLatest } from "./migrations.js";
import { grantRuntimeAccess, type RuntimeAccessRules } from "./runtime-grants.js";
import {
  generateRolePassword,
  type ServiceRoleNames,
  serviceRoleNames,
  setupServiceRoles,
} from "./service-roles.js";

/** One service's schema as setup prepares it. */
export interface ServiceSchemaPlan extends RuntimeAccessRules {
  readonly schema: string;
  readonly migrations: MigrationSet;
}

export interface SetupServiceDatabasesOptions {
  /** A superuser connection to the platform's database (it must exist). */
  readonly adminUrl: string;
  /** Prefix of the role names (see serviceRoleNames): one per database. */
  readonly rolePrefix: string;
  readonly services: readonly ServiceSchemaPlan[];
  /**
   * Runtime passwords to keep, by schema (read back from where the previous setup wrote them);
   * the others are generated. Every password is set again, so the server always matches.
   */
  readonly passwords?: Readonly<Record<string, string>>;
  readonly logger?: Logger;
}

/** What a service needs to connect, from setupServiceDatabases. */
export interface ServiceDatabaseAccess {
  readonly schema: string;
  readonly roles: ServiceRoleNames;
  readonly password: string;
  /** The admin URL with the runtime role's name and password: the service's DATABASE_URL. */
  readonly runtimeUrl: string;
  /** Migrations this setup applied. */
  readonly applied: readonly string[];
}

/**
 * The database half of the platform's setup (compose's init, the dev runner, a Kubernetes Job):
 * per service an owner and a runtime role (setupServiceRoles), its migrations applied as the owner
 * (the admin session assumes the NOLOGIN owner role, so no owner password exists anywhere), then
 * the runtime role's rights (grantRuntimeAccess). The services themselves then run with
 * MIGRATE_ON_START=false and the runtime URL only. Idempotent.
 * @example
 * const access = await setupServiceDatabases({ adminUrl, rolePrefix: "proximity", services });
 */
export async function setupServiceDatabases(
  options: SetupServiceDatabasesOptions,
): Promise<ServiceDatabaseAccess[]> {
  for (const service of options.services) assertIdentifier(service.schema);
  const plans = options.services.map((service) => ({
    service,
    roles: serviceRoleNames(options.rolePrefix, service.schema),
    password: options.passwords?.[service.schema] ?? generateRolePassword(),
  }));
  const admin = new pg.Client({ connectionString: options.adminUrl });
  await admin.connect();
  try {
    await setupServiceRoles(
      admin,
      plans.map((p) => ({ schema: p.service.schema, roles: p.roles, password: p.password })),
    );
  } finally {
    await admin.end();
  }
  const access: ServiceDatabaseAccess[] = [];
  for (const { service, roles, password } of plans) {
    const owner = connectAs(options.adminUrl, roles.owner, service.schema);
    try {
      const applied = await migrateToLatest(owner, service);
      await grantRuntimeAccess(owner, { ...service, runtimeRole: roles.runtime });
      options.logger?.info({ schema: service.schema, applied }, "schema set up");
      access.push({
        schema: service.schema,
        roles,
        password,
        runtimeUrl: withCredentials(options.adminUrl, roles.runtime, password),
        applied,
      });
    } finally {
      await owner.destroy();
    }
  }
  return access;
}

/** A one-connection session that acts as `role` (a superuser may assume any role). */
function connectAs(url: string, role: string, schema: string): Kysely<unknown> {
  const pool = new pg.Pool({
    connectionString: url,
    max: 1,
    options: `-c role=${role} -c search_path=${schema}`,
  });
  return new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
}

/** `url` logging in as `user` with `password`. */
export function withCredentials(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(user);
  u.password = encodeURIComponent(password);
  return u.toString();
}
