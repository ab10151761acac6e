import { createLogger } from "@proximity/logger";
import { describe, expect, it } from "vitest";
import { defineService } from "./lifecycle.js";

const logger = createLogger({ service: "test", level: "silent" });

describe("defineService", () => {
  it("defineService - stop releases resources newest first, once", async () => {
    const released: string[] = [];
    const service = defineService(logger, async (onStop) => {
      onStop("database", () => void released.push("database"));
      onStop("bus", async () => void released.push("bus"));
      onStop("grpc", () => void released.push("grpc"));
      return { grpcPort: 1 };
    });
    expect(await service.start()).toEqual({ grpcPort: 1 });
    await service.stop();
    await service.stop();
    expect(released).toEqual(["grpc", "bus", "database"]);
  });

  it("defineService - a failed start releases what it acquired and rethrows", async () => {
    const released: string[] = [];
    const service = defineService(logger, async (onStop) => {
      onStop("database", () => void released.push("database"));
      onStop("bus", () => {
        released.push("bus");
        throw new Error("already closed");
      });
      throw new Error("port in use");
    });
    await expect(service.start()).rejects.toThrow("port in use");
    expect(released).toEqual(["bus", "database"]);
  });
});
