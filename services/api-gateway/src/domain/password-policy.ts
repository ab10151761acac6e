/** Password rules for every account (DESIGN.md Security). */
export const PASSWORD_MIN_LENGTH = 12;
/** Upper bound so a huge password cannot make every scrypt call expensive. */
export const PASSWORD_MAX_LENGTH = 256;

/** Returns why `password` is not acceptable for `username`, or null when it is. */
export function passwordProblem(password: string, username: string): string | null {
  if (password.length < PASSWORD_MIN_LENGTH) return `must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (password.length > PASSWORD_MAX_LENGTH) return `must be at most ${PASSWORD_MAX_LENGTH} characters`;
  if (password.toLowerCase().includes(username.toLowerCase())) return "must not contain the username";
  return null;
}
