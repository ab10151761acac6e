import { ValidationError } from "@proximity/errors";
import { describe, expect, it } from "vitest";
import {
  appDirectory,
  composeRecreateScript,
  composeUpScript,
  moveAppDirectoryScript,
  readEnvFileScript,
  writeFromStdinScript,
} from "./deploy-scripts.js";

describe("deploy scripts", () => {
  it("writeFromStdinScript - owner-only, through a temporary file, content only on stdin", () => {
    expect(writeFromStdinScript("/opt/proximity/app-1/.env")).toBe(
      "umask 077; mkdir -p '/opt/proximity/app-1'; cat > '/opt/proximity/app-1/.env.tmp' && mv '/opt/proximity/app-1/.env.tmp' '/opt/proximity/app-1/.env'",
    );
  });

  it("appDirectory - refuses app ids that could escape the directory", () => {
    expect(() => appDirectory("../etc")).toThrow(ValidationError);
    expect(() => appDirectory("a b")).toThrow(ValidationError);
    expect(() => writeFromStdinScript(`${appDirectory("ok")}/x`)).not.toThrow();
  });

  it("composeUpScript - starts the project detached from its compose file", () => {
    expect(composeUpScript("app-1")).toBe(
      "docker compose -f '/opt/proximity/app-1/docker-compose.yml' up -d",
    );
  });

  it("composeRecreateScript - recreates changed services and removes orphans", () => {
    expect(composeRecreateScript("app-1")).toBe(
      "docker compose -f '/opt/proximity/app-1/docker-compose.yml' up -d --remove-orphans",
    );
  });

  it("readEnvFileScript - prints the .env, nothing when it is missing", () => {
    expect(readEnvFileScript("app-1")).toBe("cat '/opt/proximity/app-1/.env' 2>/dev/null || true");
  });

  it("moveAppDirectoryScript - renames once and then checks the compose file is there", () => {
    expect(moveAppDirectoryScript("a", "b")).toBe(
      "if [ -d '/opt/proximity/a' ] && [ ! -d '/opt/proximity/b' ]; then mv '/opt/proximity/a' '/opt/proximity/b'; fi; test -f '/opt/proximity/b/docker-compose.yml'",
    );
  });
});
