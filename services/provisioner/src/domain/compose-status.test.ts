import { describe, expect, it } from "vitest";
import { firstIpv4, parseComposePs, servicesNotRunning } from "./compose-status.js";

describe("compose status", () => {
  it("parseComposePs - reads one JSON object per line (compose >= 2.21)", () => {
    const out = '{"Service":"web","State":"running"}\n{"Service":"db","State":"exited"}\n';
    expect(parseComposePs(out)).toEqual([
      { service: "web", state: "running" },
      { service: "db", state: "exited" },
    ]);
  });

  it("parseComposePs - reads a JSON array (older compose)", () => {
    expect(parseComposePs('[{"Name":"app-web-1","State":"Running"}]')).toEqual([
      { service: "app-web-1", state: "running" },
    ]);
  });

  it("servicesNotRunning - names the services that are down, and treats no services as down", () => {
    expect(servicesNotRunning([{ service: "web", state: "running" }])).toEqual([]);
    expect(servicesNotRunning([{ service: "db", state: "restarting" }])).toEqual(["db"]);
    expect(servicesNotRunning([])).toEqual(["(no services)"]);
  });

  it("firstIpv4 - picks the first IPv4 address of hostname -I", () => {
    expect(firstIpv4("fd00::5 10.0.0.7 172.17.0.1 \n")).toBe("10.0.0.7");
    expect(firstIpv4("\n")).toBeUndefined();
  });
});
