/**
 * `url` when it is an absolute address of one of `protocols` (http and https by default), else
 * undefined: a stored value can never become a javascript: or data: link.
 */
export function externalUrl(
  url: string | null | undefined,
  protocols: readonly string[] = ["http:", "https:"],
): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return protocols.includes(parsed.protocol) ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}
