/**
 * The variables a docker compose file interpolates, found the way compose reads them:
 * `$$` is a literal `$`; `$NAME` and `${NAME}` are references; `${NAME:-x}` / `${NAME-x}` have an
 * inline default; `${NAME:?msg}`, `${NAME?msg}`, `${NAME:+x}`, `${NAME+x}` do not; the text after
 * the operator may itself hold references (`${A:-${B}}`). A `${` that is not one of these forms
 * is an error for compose ("invalid interpolation format"), so it is reported here too. A `$`
 * followed by anything else is literal.
 */

export interface VariableReference {
  readonly name: string;
  /** True for `${NAME:-x}` and `${NAME-x}`: compose has a value even when NAME is unset. */
  readonly hasDefault: boolean;
  /** The `x` of an inline default, as written ("" when none). */
  readonly defaultText: string;
}

export interface VariableScan {
  readonly references: VariableReference[];
  /** Malformed `${…}` expressions, as written (cut to 60 characters). */
  readonly invalid: string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const BRACED = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/;

/** Every reference in `text`, in order of appearance. */
export function scanVariables(text: string): VariableScan {
  const references: VariableReference[] = [];
  const invalid: string[] = [];
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf("$", i);
    if (dollar < 0) break;
    const next = text[dollar + 1];
    if (next === "$") {
      i = dollar + 2;
      continue;
    }
    if (next === "{") {
      const close = closingBrace(text, dollar + 2);
      if (close < 0) {
        invalid.push(text.slice(dollar, dollar + 60));
        break;
      }
      const body = text.slice(dollar + 2, close);
      const match = BRACED.exec(body);
      if (!match) invalid.push(`\${${body}}`.slice(0, 60));
      else {
        const hasDefault = match[2] === "-" || match[2] === ":-";
        references.push({ name: match[1]!, hasDefault, defaultText: hasDefault ? (match[3] ?? "") : "" });
        if (match[3]) {
          const inner = scanVariables(match[3]);
          references.push(...inner.references);
          invalid.push(...inner.invalid);
        }
      }
      i = close + 1;
      continue;
    }
    const name = NAME.exec(text.slice(dollar + 1))?.[0];
    if (name) references.push({ name, hasDefault: false, defaultText: "" });
    i = dollar + 1 + (name?.length ?? 0);
  }
  return { references, invalid };
}

/** Index of the `}` closing a `${` whose body starts at `from` (nested `${…}` skipped), or -1. */
function closingBrace(text: string, from: number): number {
  let depth = 1;
  for (let j = from; j < text.length; j++) {
    if (text.startsWith("$$", j)) j++;
    else if (text.startsWith("${", j)) {
      depth++;
      j++;
    } else if (text[j] === "}" && --depth === 0) return j;
  }
  return -1;
}
