/** Characters a password needs at least. */
export const PASSWORD_MIN_LENGTH = 12;

/** Upper bound, so that a huge password cannot make every scrypt call of the gateway expensive. */
export const PASSWORD_MAX_LENGTH = 256;

/** What is wrong with a new password, in the order the policy checks it. */
export type PasswordIssue = "empty" | "too-short" | "too-long" | "contains-username";

/**
 * The first thing wrong with `password` as the new password of `username`, or undefined when the
 * policy accepts it. Lengths count UTF-16 code units (`String.length`), the same in every consumer.
 * The username is compared ignoring case; an empty one (not typed yet) is not compared.
 * @example passwordIssue("correct horse battery", "bob") // undefined
 * @example passwordIssue("my BOB is a long password", "bob") // "contains-username"
 */
export function passwordIssue(password: string, username: string): PasswordIssue | undefined {
  if (password.length === 0) return "empty";
  if (password.length < PASSWORD_MIN_LENGTH) return "too-short";
  if (password.length > PASSWORD_MAX_LENGTH) return "too-long";
  if (username !== "" && password.toLowerCase().includes(username.toLowerCase())) return "contains-username";
  return undefined;
}
