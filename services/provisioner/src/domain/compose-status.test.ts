import { describe, expect, it } from "vitest";
import {
  firstIpv4,
  parseComposePs,
  servicesNotRunning,
  servicesStarting,
  splitComposeStatus,
} from "./compose-status.js";
import { ADDRESSES_MARKER } from "./deploy-scripts.js";

const up = (service: string, health = "") => ({ service, state: "running", health });

describe("compose status", () => {
  it("parseComposePs - reads one JSON object per line (compose >= 2.21)", () => {
    const out = '{"Service":"web","State":"running","Health":"healthy"}\n{"Service":"db","State":"exited"}\n';
    expect(parseComposePs(out)).toEqual([
      { service: "web", state: "running", health: "healthy" },
      { service: "db", state: "exited", health: "" },
    ]);
  });

  it("parseComposePs - reads a JSON array (older compose)", () => {
    expect(parseComposePs('[{"Name":"app-web-1","State":"Running"}]')).toEqual([
      { service: "app-web-1", state: "running", health: "" },
    ]);
  });

  it("servicesNotRunning - names the services that are down, and treats no services as down", () => {
    expect(servicesNotRunning([up("web")])).toEqual([]);
    expect(servicesNotRunning([{ service: "db", state: "restarting", health: "" }])).toEqual(["db"]);
    expect(servicesNotRunning([])).toEqual(["(no services)"]);
  });

  it("servicesNotRunning - a running service its health check calls unhealthy is not running", () => {
    expect(servicesNotRunning([up("web", "healthy"), up("db", "unhealthy")])).toEqual(["db"]);
  });

  it("servicesStarting - names running services whose health check has not decided yet", () => {
    expect(servicesStarting([up("web", "starting"), up("db", "healthy"), up("x")])).toEqual(["web"]);
  });

  it("firstIpv4 - picks the first IPv4 address of hostname -I", () => {
    expect(firstIpv4("fd00::5 10.0.0.7 172.17.0.1 \n")).toBe("10.0.0.7");
    expect(firstIpv4("\n")).toBeUndefined();
  });

  it("splitComposeStatus - the states before the marker line, the addresses after it; none without it", () => {
    const ps = '{"Service":"web","State":"running"}\n';
    const out = `${ps}${ADDRESSES_MARKER}\n10.0.0.7 172.17.0.1 \n`;
    const parts = splitComposeStatus(out, ADDRESSES_MARKER);
    expect(parseComposePs(parts!.ps)).toEqual([{ service: "web", state: "running", health: "" }]);
    expect(firstIpv4(parts!.addresses)).toBe("10.0.0.7");
    // No services (an empty ps) still splits; a missing marker is no status at all.
    expect(splitComposeStatus(`${ADDRESSES_MARKER}\n10.0.0.7\n`, ADDRESSES_MARKER)).toEqual({
      ps: "",
      addresses: "10.0.0.7\n",
    });
    expect(splitComposeStatus(ps, ADDRESSES_MARKER)).toBeUndefined();
  });
});
