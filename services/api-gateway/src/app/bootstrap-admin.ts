import { randomBytes } from "node:crypto";
import type { Logger } from "@proximity/logger";
import type { GatewayDb } from "../db/database.js";
import { adminExists, insertUserIfAbsent } from "../db/user.repository.js";
import { hashPassword } from "../domain/password-hash.js";

export interface BootstrapAdminOptions {
  readonly username: string;
  /** Configured password; when absent one is generated and announced once. */
  readonly password?: string;
  readonly logger: Logger;
  /** Where a generated password is shown (stderr in production), never the JSON log. */
  readonly announce: (text: string) => void;
}

/**
 * Creates the first admin when none exists. Two replicas may both see "no admin" at once: the
 * unique username index lets exactly one insert win, and only the winner announces its password.
 */
export async function bootstrapAdmin(db: GatewayDb, options: BootstrapAdminOptions): Promise<void> {
  if (await adminExists(db)) return;
  const password = options.password ?? randomBytes(18).toString("base64url");
  const created = await insertUserIfAbsent(db, {
    username: options.username,
    password_hash: await hashPassword(password),
    is_admin: true,
  });
  if (!created) {
    options.logger.warn(
      { username: options.username },
      "bootstrap admin not created: username already taken",
    );
    return;
  }
  options.logger.info({ username: created.username }, "bootstrap admin created");
  if (!options.password) options.announce(banner(created.username, password));
}

function banner(username: string, password: string): string {
  const line = "=".repeat(72);
  return [
    line,
    "  Proximity: first admin account created",
    `  username: ${username}`,
    `  password: ${password}`,
    "  This password is shown only once. Log in and change it now.",
    line,
    "",
  ].join("\n");
}
