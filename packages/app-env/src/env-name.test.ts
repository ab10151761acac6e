import { describe, expect, it } from "vitest";
import { envNameProblem } from "./env-name.js";
import { ENV_LIMITS } from "./limits.js";

describe("envNameProblem", () => {
  it("envNameProblem - accepts letters, digits and _ not starting with a digit", () => {
    for (const name of ["A", "_", "db_password", "TZ", "GITEA__server__ROOT_URL", "a1", "X".repeat(128)])
      expect(envNameProblem(name), name).toBeUndefined();
  });

  it("envNameProblem - refuses empty, too long and malformed names", () => {
    expect(envNameProblem("")).toBe("must not be empty");
    expect(envNameProblem("X".repeat(ENV_LIMITS.nameMaxLength + 1))).toMatch(/at most 128 characters/);
    for (const name of ["1A", "A-B", "A B", "A=B", "A\nB", "É", "A.B", "$A", " A"])
      expect(envNameProblem(name), name).toMatch(/must start with a letter or _/);
  });

  it("envNameProblem - COMPOSE_, DOCKER_ and PROXIMITY_ prefixes are reserved, in any case", () => {
    for (const name of [
      "COMPOSE_PROJECT_NAME",
      "docker_host",
      "Proximity_Port",
      "PROXIMITY_PORT",
      "COMPOSE_",
    ])
      expect(envNameProblem(name), name).toBe("is reserved");
    for (const name of ["COMPOSER", "DOCKER", "MY_DOCKER_HOST", "PROXIMITY"])
      expect(envNameProblem(name), name).toBeUndefined();
  });

  it("envNameProblem - __proto__ is reserved (it would vanish from a plain object)", () => {
    expect(envNameProblem("__proto__")).toBe("is reserved");
    expect(envNameProblem("__PROTO__")).toBeUndefined();
  });
});
