/**
 * Masks known sensitive values (the app's environment: database passwords, API keys…) in command
 * output before it is logged or quoted in a failure reason.
 */

/** Values shorter than this ("1", "true", "prod") would mask ordinary words; secrets are longer. */
export const MIN_MASKED_LENGTH = 4;

export function maskValues(text: string, values: Iterable<string>): string {
  let out = text;
  for (const v of values) if (v.length >= MIN_MASKED_LENGTH) out = out.replaceAll(v, "***");
  return out;
}
