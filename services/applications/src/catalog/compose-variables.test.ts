// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${NAME}` here is docker compose syntax, not a forgotten template.
import { describe, expect, it } from "vitest";
import { scanVariables } from "./compose-variables.js";

describe("scanVariables", () => {
  it("scanVariables - finds $NAME and ${NAME}, with or without inline defaults", () => {
    expect(
      scanVariables("a $A b ${B} c ${C:-x} d ${D-y} e ${E:?need E} f ${F?} g ${G:+on} h ${H+on}"),
    ).toEqual({
      references: [
        { name: "A", hasDefault: false, defaultText: "" },
        { name: "B", hasDefault: false, defaultText: "" },
        { name: "C", hasDefault: true, defaultText: "x" },
        { name: "D", hasDefault: true, defaultText: "y" },
        { name: "E", hasDefault: false, defaultText: "" },
        { name: "F", hasDefault: false, defaultText: "" },
        { name: "G", hasDefault: false, defaultText: "" },
        { name: "H", hasDefault: false, defaultText: "" },
      ],
      invalid: [],
    });
  });

  it("scanVariables - $$ is a literal dollar, and a lone $ is literal", () => {
    expect(scanVariables("echo $$HOME $${X} costs 5$ or $ 6 or $1").references).toEqual([]);
  });

  it("scanVariables - references inside defaults are found, braces nest", () => {
    expect(scanVariables("${A:-${B:-x}-y}/${C}").references).toEqual([
      { name: "A", hasDefault: true, defaultText: "${B:-x}-y" },
      { name: "B", hasDefault: true, defaultText: "x" },
      { name: "C", hasDefault: false, defaultText: "" },
    ]);
    expect(scanVariables("${A:-$$}}").references).toEqual([
      { name: "A", hasDefault: true, defaultText: "$$" },
    ]);
  });

  it("scanVariables - malformed ${…} is reported", () => {
    expect(scanVariables("x ${} y ${1A} z ${A B} ${A:x}").invalid).toEqual([
      "${}",
      "${1A}",
      "${A B}",
      "${A:x}",
    ]);
    expect(scanVariables("never closed ${A").invalid).toEqual(["${A"]);
  });

  it("scanVariables - an empty inline default is a default", () => {
    expect(scanVariables("${A:-} ${B-}").references).toEqual([
      { name: "A", hasDefault: true, defaultText: "" },
      { name: "B", hasDefault: true, defaultText: "" },
    ]);
  });

  it("scanVariables - the published port form", () => {
    expect(scanVariables("${PROXIMITY_PORT:-8080}:80").references).toEqual([
      { name: "PROXIMITY_PORT", hasDefault: true, defaultText: "8080" },
    ]);
  });
});
