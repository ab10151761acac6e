import { ValidationError } from "@proximity/errors";
import { describe, expect, it } from "vitest";
import { appDirectory, composeUpScript, writeAppFilesScript } from "./deploy-scripts.js";

describe("deploy scripts", () => {
  it("writeAppFilesScript - writes both files with quoted here-documents, content byte for byte", () => {
    const script = writeAppFilesScript("app-1", "services:\n  web:\n    image: nginx:$TAG\n", "A='1'\n");
    expect(script).toBe(
      [
        "set -e",
        "mkdir -p '/opt/proximity/app-1'",
        "cat > '/opt/proximity/app-1/docker-compose.yml' <<'PROXIMITY_EOF'",
        "services:",
        "  web:",
        "    image: nginx:$TAG",
        "PROXIMITY_EOF",
        "umask 077",
        "cat > '/opt/proximity/app-1/.env' <<'PROXIMITY_EOF'",
        "A='1'",
        "PROXIMITY_EOF",
      ].join("\n"),
    );
  });

  it("writeAppFilesScript - refuses content that would end the here-document early", () => {
    expect(() => writeAppFilesScript("app-1", "x\nPROXIMITY_EOF\nrm -rf /\n", "")).toThrow(ValidationError);
  });

  it("appDirectory - refuses app ids that could escape the directory", () => {
    expect(() => appDirectory("../etc")).toThrow(ValidationError);
    expect(() => appDirectory("a b")).toThrow(ValidationError);
  });

  it("composeUpScript - starts the project detached from its compose file", () => {
    expect(composeUpScript("app-1")).toBe(
      "docker compose -f '/opt/proximity/app-1/docker-compose.yml' up -d",
    );
  });
});
