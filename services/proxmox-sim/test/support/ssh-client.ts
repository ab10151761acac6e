/**
 * A plain ssh2 client for tests: connect with password or key, run one command, collect output.
 */
import ssh2, { type ConnectConfig, type Client as SshClient } from "ssh2";

export interface ExecOutput {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function connect(config: ConnectConfig): Promise<SshClient> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    client
      .on("ready", () => resolve(client))
      .on("error", reject)
      .connect({ readyTimeout: 5000, ...config });
  });
}

export function run(client: SshClient, command: string, stdin = ""): Promise<ExecOutput> {
  return new Promise((resolve, reject) => {
    client.exec(command, (err, stream) => {
      if (err) return reject(err);
      let stdout = "";
      let stderr = "";
      let code: number | null = null;
      stream.on("data", (d: Buffer) => (stdout += d.toString()));
      stream.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      stream.on("exit", (c: number | null) => (code = c));
      stream.on("close", () => resolve({ code, stdout, stderr }));
      stream.end(stdin);
    });
  });
}

/** POSIX single-quoting, as the product's client does it. */
export function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}
