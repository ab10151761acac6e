import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import * as grpc from "@grpc/grpc-js";
import { SpanKind } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { contextFromTraceparent, inSpan, newTraceparent, traceparentOf } from "./propagation.js";
import { readTelemetrySettings } from "./settings.js";
import { createTelemetry, noopTracer } from "./telemetry.js";

describe("telemetry", () => {
  it("telemetry - with no OTEL_* variable, no exporter is created and spans are no-ops", async () => {
    expect(readTelemetrySettings({}).exporter).toBe("none");
    const t = createTelemetry({ service: "applications", env: { PATH: "/usr/bin" } });
    expect(t.exporter).toBe("none");
    expect(t.tracer).toBe(noopTracer);
    await inSpan(t.tracer, "x", {}, async (span) => expect(span.isRecording()).toBe(false));
    await t.shutdown();
  });

  it("telemetry - an OTLP endpoint turns tracing on; OTEL_SDK_DISABLED turns it off again", async () => {
    const on = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318/" };
    expect(readTelemetrySettings(on)).toMatchObject({
      exporter: "otlp",
      url: "http://127.0.0.1:4318/v1/traces",
      protocol: "http/protobuf",
    });
    expect(readTelemetrySettings({ ...on, OTEL_SDK_DISABLED: "true" }).exporter).toBe("none");
    expect(readTelemetrySettings({ ...on, OTEL_TRACES_EXPORTER: "none" }).exporter).toBe("none");
    const received: string[] = [];
    const server = createServer((req, res) => {
      received.push(`${req.method} ${req.url} ${req.headers["content-type"]}`);
      req.resume().on("end", () => res.writeHead(200).end());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const t = createTelemetry({
        service: "hosts",
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` },
      });
      expect(t.exporter).toBe("otlp");
      await inSpan(t.tracer, "x", { kind: SpanKind.INTERNAL }, async (span) =>
        expect(span.isRecording()).toBe(true),
      );
      await t.shutdown();
      expect(received).toEqual(["POST /v1/traces application/x-protobuf"]);
    } finally {
      server.close();
    }
  });

  it("telemetry - OTLP over gRPC exports to the endpoint as given (default port 4317)", async () => {
    expect(
      readTelemetrySettings({ OTEL_TRACES_EXPORTER: "otlp", OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" }),
    ).toMatchObject({
      exporter: "otlp",
      url: "http://localhost:4317",
      protocol: "grpc",
    });
    // A collector's TraceService, taking the request as raw bytes (span names are plain UTF-8 in them).
    const received: Buffer[] = [];
    const raw = (b: Buffer) => b;
    const server = new grpc.Server();
    server.addService(
      {
        Export: {
          path: "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
          requestStream: false,
          responseStream: false,
          requestSerialize: raw,
          requestDeserialize: raw,
          responseSerialize: raw,
          responseDeserialize: raw,
        },
      },
      {
        Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, done: grpc.sendUnaryData<Buffer>) => {
          received.push(call.request);
          done(null, Buffer.alloc(0));
        },
      },
    );
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    try {
      const t = createTelemetry({
        service: "hosts",
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" },
      });
      expect(t.exporter).toBe("otlp");
      await inSpan(t.tracer, "grpc-exported-span", { kind: SpanKind.INTERNAL }, async () => undefined);
      await t.shutdown();
      expect(received).toHaveLength(1);
      expect(received[0]!.toString("latin1")).toContain("grpc-exported-span");
    } finally {
      server.forceShutdown();
    }
  });

  it("telemetry - unsupported values fail fast, each named", () => {
    expect(() =>
      readTelemetrySettings({ OTEL_TRACES_EXPORTER: "zipkin", OTEL_EXPORTER_OTLP_PROTOCOL: "thrift" }),
    ).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL[\s\S]*OTEL_TRACES_EXPORTER/);
  });

  it("propagation - a child span keeps the parent's trace id, with tracing off too", async () => {
    const parent = newTraceparent();
    const traceId = parent.split("-")[1];
    await inSpan(noopTracer, "child", { parent: contextFromTraceparent(parent) }, async () => {
      expect(traceparentOf()?.split("-")[1]).toBe(traceId);
    });
    // A root span with tracing off still gets ids (logs and envelopes always carry a trace id).
    await inSpan(noopTracer, "root", {}, async () => {
      expect(traceparentOf()).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    });
    expect(contextFromTraceparent("00-00000000000000000000000000000000-0000000000000000-01")).toBeDefined();
    expect(traceparentOf(contextFromTraceparent("garbage"))).toBeUndefined();
  });
});
