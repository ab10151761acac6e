/** Characters of a username. */
export const USERNAME_MAX_LENGTH = 64;

/**
 * Letters, digits and `._-`, starting with a letter or digit. Exported for schema validators (the
 * gateway's zod schema, which also publishes it in the OpenAPI document); it has no `g` flag, so
 * sharing the object is safe.
 */
export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** What is wrong with a username, in the order the rule checks it. */
export type UsernameIssue = "empty" | "too-long" | "characters";

/**
 * The first thing wrong with `username` for a new account, or undefined when it can be used.
 * Uniqueness ignores case, but is the database's to judge.
 * @example usernameIssue("bob.smith_2") // undefined
 * @example usernameIssue(".bob") // "characters"
 */
export function usernameIssue(username: string): UsernameIssue | undefined {
  if (username.length === 0) return "empty";
  if (username.length > USERNAME_MAX_LENGTH) return "too-long";
  if (!USERNAME_PATTERN.test(username)) return "characters";
  return undefined;
}
