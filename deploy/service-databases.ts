/**
 * The database step of the platform's setup, shared by compose's init and the dev runner: each
 * service's roles and migrated schema (setupServiceDatabases), and its connection URL, with its
 * runtime role's password, written into that service's own bundle as `database-url`. The service
 * reads it through DATABASE_URL_FILE; no password is in any environment or compose file.
 */
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type ServiceDatabaseAccess, setupServiceDatabases } from "../packages/db/src/index.js";
import type { Logger } from "../packages/logger/src/index.js";
import { ServiceSchemas } from "./service-schemas.js";

/** The file of a bundle holding the service's DATABASE_URL. */
export const DATABASE_URL_FILE = "database-url";

export interface PlatformDatabaseOptions {
  /** Superuser URL of the platform's database; the services reach the server at the same address. */
  readonly adminUrl: string;
  /** Prefix of the role names, one per database (default: the database's name). */
  readonly rolePrefix?: string;
  /** Where the bundles are (`<dir>/<service>/`, see writeServiceBundles). */
  readonly bundlesDir: string;
  /** Owner of the written files (a container's non-root user); default: the current user. */
  readonly owner?: { readonly uid: number; readonly gid: number };
  readonly logger?: Logger;
}

/**
 * Sets up every service's schema and roles; returns the path of each service's `database-url`
 * file, by service. A password already written is kept (and set again on the server).
 */
export async function setupPlatformDatabase(options: PlatformDatabaseOptions): Promise<Map<string, string>> {
  const fileOf = (service: string) => join(options.bundlesDir, service, DATABASE_URL_FILE);
  const passwords: Record<string, string> = {};
  for (const { service, schema } of ServiceSchemas) {
    const kept = readPassword(fileOf(service));
    if (kept) passwords[schema] = kept;
  }
  const access = await setupServiceDatabases({
    adminUrl: options.adminUrl,
    rolePrefix: options.rolePrefix ?? new URL(options.adminUrl).pathname.slice(1),
    services: ServiceSchemas,
    passwords,
    logger: options.logger,
  });
  const bySchema = new Map<string, ServiceDatabaseAccess>(access.map((a) => [a.schema, a]));
  const files = new Map<string, string>();
  for (const { service, schema } of ServiceSchemas) {
    const file = fileOf(service);
    mkdirSync(join(options.bundlesDir, service), { recursive: true, mode: 0o700 });
    rmSync(file, { force: true }); // read-only files are replaced, not rewritten in place
    writeFileSync(file, `${bySchema.get(schema)!.runtimeUrl}\n`, { mode: 0o400 });
    if (options.owner) chownSync(file, options.owner.uid, options.owner.gid);
    files.set(service, file);
  }
  return files;
}

/** The password of a URL file written before, if any. */
function readPassword(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  const password = new URL(readFileSync(file, "utf8").trim()).password;
  return password ? decodeURIComponent(password) : undefined;
}
