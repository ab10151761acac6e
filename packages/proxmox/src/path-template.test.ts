import { describe, expect, it } from "vitest";
import { pathTemplate } from "./path-template.js";

describe("pathTemplate", () => {
  it("pathTemplate - replaces the values of collection segments, keeps actions", () => {
    expect(pathTemplate("/nodes/pve1/lxc/101/status/start")).toBe("/nodes/{node}/lxc/{vmid}/status/start");
    expect(pathTemplate("/nodes/pve1/lxc")).toBe("/nodes/{node}/lxc");
    expect(pathTemplate("/nodes/pve1/tasks/UPID%3Apve1%3A0001/status")).toBe(
      "/nodes/{node}/tasks/{upid}/status",
    );
    expect(pathTemplate("/nodes/pve1/storage/local/content/local%3Abackup%2Fx.tar.zst")).toBe(
      "/nodes/{node}/storage/{storage}/content/{volume}",
    );
    expect(pathTemplate("/cluster/nextid")).toBe("/cluster/nextid");
  });
});
