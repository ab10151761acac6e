/**
 * Small edits of an app's `.env` as Proximity renders it (one `NAME=value` entry per line, values
 * quoted, as renderEnvFile of @proximity/app-env writes it). Used where the provisioner must keep or change a single entry it owns (the published
 * port, the compose project name of a clone) without knowing the rest of the file. Only entries
 * whose line starts with the name are touched; values are never parsed beyond simple ones.
 */

/** The simple value of `name` (quotes removed), or undefined when the file has no such entry. */
export function envLineValue(text: string, name: string): string | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${name}=`));
  if (line === undefined) return undefined;
  const raw = line.slice(name.length + 1).trim();
  const quoted = /^(['"])(.*)\1$/.exec(raw);
  return quoted ? quoted[2] : raw;
}

/** `text` without the entries of `names`, followed by `rendered` (their new lines). */
export function replaceEnvLines(text: string, names: readonly string[], rendered: string): string {
  const kept = text
    .split("\n")
    .filter((l) => !names.some((n) => l.startsWith(`${n}=`)))
    .join("\n")
    .replace(/\n*$/, "");
  return kept === "" ? rendered : `${kept}\n${rendered}`;
}
