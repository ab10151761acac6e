import { USERNAME_MAX_LENGTH, USERNAME_PATTERN } from "@proximity/rules";
import { z } from "zod";
import type { UserRow } from "../../db/users.table.js";

export const userJson = z.object({
  id: z.string(),
  username: z.string(),
  is_admin: z.boolean(),
  is_active: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
});

export function toUserJson(row: UserRow): z.infer<typeof userJson> {
  return {
    id: row.id,
    username: row.username,
    is_admin: row.is_admin,
    is_active: row.is_active,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

/**
 * Letters, digits and `._-`, starting with a letter or digit (@proximity/rules). Written as zod
 * checks rather than a refinement so that the OpenAPI document shows the bounds and the pattern.
 */
export const username = z
  .string()
  .min(1)
  .max(USERNAME_MAX_LENGTH)
  .regex(USERNAME_PATTERN, "may contain letters, digits, '.', '_' and '-' only");

/** Length only here: the full policy (app/create-user.ts) also needs the username. */
export const newPassword = z.string().min(1).max(1024);

/** A password as typed to prove who one is (no policy: it is only compared). */
export const currentPassword = z.string().min(1).max(1024);

export const createUserBody = z
  .object({
    username,
    password: newPassword,
    is_admin: z.boolean().default(false),
  })
  .strict();

export const updateUserBody = z
  .object({
    password: newPassword.optional(),
    /** Required when admins change their own password here. */
    current_password: currentPassword.optional(),
    is_admin: z.boolean().optional(),
    is_active: z.boolean().optional(),
  })
  .strict()
  .refine((body) => Object.values(body).some((v) => v !== undefined), "at least one field is required");

/** Self-service password change (POST /api/auth/password). */
export const changePasswordBody = z
  .object({
    current_password: currentPassword,
    new_password: newPassword,
  })
  .strict();

/** What a password change ended. */
export const passwordChangedJson = z.object({
  sessions_ended: z
    .number()
    .int()
    .describe("How many of your other sessions that were still live ended (every other session ends)"),
  tokens_revoked: z.number().int().describe("Your API tokens, all revoked"),
});
