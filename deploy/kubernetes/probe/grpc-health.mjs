/**
 * Kubernetes probe of a Proximity service's gRPC health (grpc.health.v1.Health/Check, service "").
 * The kubelet's own `grpc:` probe speaks plaintext only, and every Proximity server requires mutual
 * TLS (packages/grpc: health included), so the probe runs in the container instead, with the
 * service's own bundle as its client certificate. Plain Node (node:http2), no dependency and no
 * transpiler: it starts in tens of milliseconds, every probe period.
 *
 *   node grpc-health.mjs <service> <port> <keys-dir> [--alive]
 *
 * Exit 0 when the server answers SERVING; with --alive (liveness) when it answers at all, SERVING
 * or NOT_SERVING (starting, or draining on shutdown). Exit 1 otherwise, with the reason on stderr.
 */
import { readFileSync } from "node:fs";
import { connect } from "node:http2";
import { join } from "node:path";

const SERVING = 1;
const NOT_SERVING = 2;
const TIMEOUT_MS = 3_000;

/**
 * The status of a HealthCheckResponse: field 1 (`status`, an enum), protobuf-encoded; an empty
 * message is UNKNOWN (0), proto3's default.
 */
export function healthStatusOf(message) {
  return message.length >= 2 && message[0] === 0x08 ? message[1] : 0;
}

/**
 * Asks `127.0.0.1:<port>` for its health over mutual TLS, as `service` (the certificate's DNS name
 * the client checks). Resolves with the serving status, rejects when no gRPC answer came.
 */
export function checkHealth({ service, port, keysDir, host = "127.0.0.1", timeoutMs = TIMEOUT_MS }) {
  const read = (file) => readFileSync(join(keysDir, file));
  return new Promise((resolve, reject) => {
    const session = connect(`https://${host}:${port}`, {
      ca: read("ca.crt"),
      cert: read("tls.crt"),
      key: read("tls.key"),
      servername: service,
    });
    const fail = (err) => {
      session.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    session.on("error", (err) => {
      clearTimeout(timer);
      fail(err);
    });
    const request = session.request({
      ":method": "POST",
      ":path": "/grpc.health.v1.Health/Check",
      "content-type": "application/grpc",
      te: "trailers",
    });
    const chunks = [];
    let grpcStatus;
    request.on("response", (headers) => {
      grpcStatus ??= headers["grpc-status"]; // a trailers-only answer (an error) carries it here
    });
    request.on("trailers", (trailers) => {
      grpcStatus = trailers["grpc-status"];
    });
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("error", (err) => {
      clearTimeout(timer);
      fail(err);
    });
    request.on("end", () => {
      clearTimeout(timer);
      session.close();
      if (String(grpcStatus) !== "0") return reject(new Error(`grpc-status ${grpcStatus ?? "missing"}`));
      // A length-prefixed message: 1 byte compression flag, 4 bytes length, the message.
      const body = Buffer.concat(chunks);
      resolve(healthStatusOf(body.subarray(5, 5 + body.readUInt32BE(1))));
    });
    // HealthCheckRequest{service: ""} is the empty message: the prefix alone.
    request.end(Buffer.from([0, 0, 0, 0, 0]));
  });
}

async function main(argv) {
  const [service, port, keysDir] = argv.filter((a) => !a.startsWith("--"));
  const alive = argv.includes("--alive");
  if (!service || !port || !keysDir) {
    process.stderr.write("usage: grpc-health.mjs <service> <port> <keys-dir> [--alive]\n");
    return 2;
  }
  try {
    const status = await checkHealth({ service, port: Number(port), keysDir });
    if (status === SERVING || (alive && status === NOT_SERVING)) return 0;
    process.stderr.write(`${service}: health status ${status}, not SERVING\n`);
  } catch (err) {
    process.stderr.write(`${service}: ${err.message}\n`);
  }
  return 1;
}

if (process.argv[1] && import.meta.filename === process.argv[1])
  process.exitCode = await main(process.argv.slice(2));
