import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";

/** Accounts. `username` is unique case-insensitively (index on lower(username)). */
export interface UsersTable {
  id: Generated<string>;
  username: string;
  /** `scrypt$N$r$p$salt$hash`. */
  password_hash: string;
  is_admin: Generated<boolean>;
  is_active: Generated<boolean>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date>;
}

export type UserRow = Selectable<UsersTable>;
export type NewUserRow = Insertable<UsersTable>;
export type UserPatchRow = Updateable<UsersTable>;
