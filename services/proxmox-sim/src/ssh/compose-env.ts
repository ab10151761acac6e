/**
 * The part of compose's variable handling the simulator needs: reading the project's `.env` and
 * interpolating `${VAR}`, `${VAR:-default}`, `${VAR-default}` and `$VAR` in values (image tags).
 */

/** KEY=value lines; surrounding single or double quotes are removed, comments and blanks skipped. */
export function readEnvFile(text: string): ReadonlyMap<string, string> {
  const vars = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    const raw = m[2]!.trim();
    const quoted = /^'(.*)'$/.exec(raw) ?? /^"(.*)"$/.exec(raw);
    vars.set(m[1]!, quoted ? quoted[1]!.replace(/\\(['"\\])/g, "$1") : raw.replace(/\s+#.*$/, ""));
  }
  return vars;
}

/** Replaces variable references in `value` with `vars` (unset without default → empty). */
export function interpolate(value: string, vars: ReadonlyMap<string, string>): string {
  return value.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (_m, braced: string | undefined, op: string | undefined, fallback: string | undefined, bare) => {
      const name = braced ?? (bare as string);
      const v = vars.get(name);
      if (op === ":-") return v === undefined || v === "" ? (fallback ?? "") : v;
      if (op === "-") return v ?? fallback ?? "";
      return v ?? "";
    },
  );
}
