import { isUniqueViolation } from "@proximity/db";
import { AlreadyExistsError, ValidationError } from "@proximity/errors";
import type { GatewayDb } from "../db/database.js";
import { insertUser, USERNAME_CONSTRAINT } from "../db/user.repository.js";
import type { UserRow } from "../db/users.table.js";
import { hashPassword } from "../domain/password-hash.js";
import { passwordProblem } from "../domain/password-policy.js";

export interface CreateUserInput {
  readonly username: string;
  readonly password: string;
  readonly isAdmin: boolean;
}

/** Throws a 400-mapped ValidationError at `field` when the password breaks the policy. */
export function assertPasswordAcceptable(password: string, username: string, field = "password"): void {
  const problem = passwordProblem(password, username);
  if (problem) throw new ValidationError("Invalid request", [{ field, message: problem }]);
}

/** Creates an account; a username taken in any letter case is a conflict. */
export async function createUser(db: GatewayDb, input: CreateUserInput): Promise<UserRow> {
  assertPasswordAcceptable(input.password, input.username);
  try {
    return await insertUser(db, {
      username: input.username,
      password_hash: await hashPassword(input.password),
      is_admin: input.isAdmin,
    });
  } catch (err) {
    if (isUniqueViolation(err, USERNAME_CONSTRAINT))
      throw new AlreadyExistsError("Username is already taken");
    throw err;
  }
}
