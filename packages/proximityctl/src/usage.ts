import type { Command } from "./commands/command.js";
import { COMMANDS } from "./commands/index.js";

/** The full --help text: commands, global options, environment, exit codes. */
export function usageText(commands: readonly Command[] = COMMANDS): string {
  const synopsis = commands.map((c) => `  ${[c.noun, c.verb, ...c.args].join(" ")}`);
  const width = Math.max(...synopsis.map((s) => s.length)) + 2;
  const lines = commands.map((c, i) => `${synopsis[i]!.padEnd(width)}${c.summary}`);
  return `Usage: proximityctl [options] <noun> <verb> [argument]

SRE commands over the Proximity services' gRPC APIs, as the sre identity (mutual TLS and a
signed call token per call). Output is a table for people; --json prints the response as JSON.

Commands:
${lines.join("\n")}

Options:
  --identity <dir>      the sre bundle directory (sre.key, tls.crt, tls.key, ca.crt, *.pub,
                        nats.seed); default $PROXIMITY_IDENTITY. Development: .dev/trust/sre;
                        compose: docker compose cp init:/keys/sre ./sre
  --json                print the response as JSON on stdout (errors stay one line on stderr)
  --timeout <seconds>   deadline of each call (default 10)
  --applications <host:port>  default $APPLICATIONS_GRPC_ADDR, else 127.0.0.1:50051
  --hosts <host:port>         default $HOSTS_GRPC_ADDR, else 127.0.0.1:50052
  --secrets <host:port>       default $SECRETS_GRPC_ADDR, else 127.0.0.1:50054
  --provisioner <host:port>   default $PROVISIONER_GRPC_ADDR, else 127.0.0.1:50055
  -h, --help            this text

Breakers are per provisioner process: "breakers" commands answer for the replica that answered
(the output names it); give --provisioner a replica's own address to reach that one.

Exit codes:
  0  done
  1  a call failed: a service answered with an error (e.g. ABORTED: a refused replay), was
     unavailable, or did not answer in time; or a host check gave no result in time
  2  usage error: unknown command or option, missing argument, bad value, no identity given
  3  not found (NOT_FOUND): no dead letter, host or breaker by that id
  4  identity unusable or refused: the bundle is unreadable, not the sre identity's or not this
     platform's (TLS handshake refused), or the service answered UNAUTHENTICATED or
     PERMISSION_DENIED
`;
}
