import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";

/** Accounts. `username` is unique case-insensitively (index on lower(username)). */
export interface UsersTable {
  id: Generated<string>;
  username: string;
  /** `scrypt$N$r$p$salt$hash`. */
  password_hash: string;
  is_admin: Generated<boolean>;
  is_active: Generated<boolean>;
  /**
   * Moved on by every password change and deactivation; sessions and tokens record the epoch they
   * were made under and are dead (and refused at insert, by trigger) once it is no longer current.
   */
  credential_epoch: ColumnType<number, never, never>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date>;
}

export type UserRow = Selectable<UsersTable>;
export type NewUserRow = Insertable<UsersTable>;
export type UserPatchRow = Updateable<UsersTable>;
