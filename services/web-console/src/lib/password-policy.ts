/**
 * The gateway's password rules, to explain them before the API checks them. Mirrors
 * services/api-gateway/src/domain/password-policy.ts (the console uses only the public API, so the
 * numbers are repeated here; the API stays the judge and names the field when a password fails).
 */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

export const PASSWORD_HINT = `At least ${PASSWORD_MIN_LENGTH} characters (at most ${PASSWORD_MAX_LENGTH}), and not containing the username. A passphrase of a few words is easy to type and hard to guess.`;

/** Why `password` would be refused for `username` (the gateway's rules), or undefined. */
export function passwordProblem(password: string, username: string): string | undefined {
  if (password === "") return "Enter a password.";
  if (password.length < PASSWORD_MIN_LENGTH) return `Use at least ${PASSWORD_MIN_LENGTH} characters.`;
  if (password.length > PASSWORD_MAX_LENGTH) return `Use at most ${PASSWORD_MAX_LENGTH} characters.`;
  if (username && password.toLowerCase().includes(username.toLowerCase())) {
    return "It must not contain the username.";
  }
  return undefined;
}
