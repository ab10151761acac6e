/**
 * What proximityctl refuses before calling anything: usage errors (exit 2) and identities it
 * cannot use (exit 4), each with one clear line on stderr.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./support/run-cli.js";
import { type TrustDir, writeTrust } from "./support/trust.js";

let trust: TrustDir;

beforeAll(async () => {
  trust = await writeTrust(["sre", "hosts"]);
});

afterAll(async () => {
  await trust?.remove();
});

describe("proximityctl command line", () => {
  it("help - lists every command, the options and the exit codes on stdout; exit 0", async () => {
    const run = await runCli(["--help"]);
    expect(run.code).toBe(0);
    for (const line of [
      "dead-letters list",
      "dead-letters show <seq>",
      "dead-letters replay <seq>",
      "breakers list",
      "breakers reset <host-id>",
      "hosts check <host-id>",
      "apps operations <app-id>",
      "keys usage",
      "keys rotate",
      "catalog reload",
      "--identity <dir>",
      "Exit codes:",
      "3  not found",
    ])
      expect(run.stdout).toContain(line);
    expect(run.stderr).toBe("");
    expect((await runCli(["help"])).stdout).toBe(run.stdout);
  });

  it("usage - unknown command, verb or option, missing or extra argument, bad values: exit 2, one line and a hint", async () => {
    const sre = { PROXIMITY_IDENTITY: trust.bundle("sre") };
    const cases: [string[], string][] = [
      [[], "proximityctl: no command given"],
      [["nodes", "list"], 'proximityctl: unknown command "nodes"'],
      [["dead-letters"], "proximityctl: dead-letters: a verb is missing; one of list, show, replay"],
      [
        ["dead-letters", "purge"],
        'proximityctl: dead-letters: unknown verb "purge"; one of list, show, replay',
      ],
      [["dead-letters", "show"], "proximityctl: dead-letters show takes <seq>"],
      [["breakers", "list", "extra"], "proximityctl: breakers list takes no argument"],
      [["catalog", "reload", "--nope"], "proximityctl: unknown option --nope"],
      [["catalog", "reload", "--limit", "5"], "proximityctl: --limit does not apply to catalog reload"],
      [
        ["dead-letters", "list", "--limit", "0"],
        'proximityctl: --limit must be a whole number from 1 to 500, not "0"',
      ],
      [
        ["dead-letters", "show", "12x"],
        'proximityctl: <seq> must be a dead letter\'s sequence number (a positive whole number), not "12x"',
      ],
      [
        ["hosts", "check", "h1", "--wait", "5", "--no-wait"],
        "proximityctl: --wait and --no-wait exclude each other",
      ],
      [["breakers", "list", "--identity"], "proximityctl: Option '--identity <value>' argument missing"],
      [
        ["keys", "usage", "--timeout", "soon"],
        'proximityctl: --timeout must be a number of seconds from 0 to 3600, not "soon"',
      ],
      [["keys", "usage", "--secrets", "no-port"], 'proximityctl: --secrets must be host:port, not "no-port"'],
    ];
    for (const [argv, message] of cases) {
      const run = await runCli(argv, sre);
      expect({ argv, code: run.code, first: run.stderr.split("\n")[0] }).toEqual({
        argv,
        code: 2,
        first: message,
      });
      expect(run.stderr).toContain("Run proximityctl --help");
      expect(run.stdout).toBe("");
    }
  });

  it("identity - none given is a usage error (2) naming --identity and PROXIMITY_IDENTITY", async () => {
    const run = await runCli(["breakers", "list"], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^proximityctl: no identity: pass --identity <dir> or set PROXIMITY_IDENTITY/);
  });

  it("identity - a missing directory, another service's bundle or an incomplete one: exit 4 saying which", async () => {
    const missing = await runCli(["breakers", "list", "--identity", join(trust.dir, "nowhere")]);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toBe(`proximityctl: identity ${join(trust.dir, "nowhere")}: no such directory\n`);

    const hosts = await runCli(["breakers", "list"], { PROXIMITY_IDENTITY: trust.bundle("hosts") });
    expect(hosts.code).toBe(4);
    expect(hosts.stderr).toContain("the bundle is the hosts service's, not sre's");

    // Relative to the directory the command was typed in (INIT_CWD under pnpm).
    const relative = await runCli(["breakers", "list", "--identity", "public"], {}, trust.dir);
    expect(relative.code).toBe(4);
    expect(relative.stderr).toContain(`identity ${join(trust.dir, "public")}: cannot read tls.crt (ENOENT)`);
  });

  it("unavailable - a service nobody answers for: exit 1, the service, its address and the status on one line", async () => {
    const run = await runCli(["breakers", "list", "--provisioner", "127.0.0.1:1", "--timeout", "3"], {
      PROXIMITY_IDENTITY: trust.bundle("sre"),
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(
      /^proximityctl: provisioner at 127\.0\.0\.1:1: ListBreakers: (UNAVAILABLE|DEADLINE_EXCEEDED): .+\n$/,
    );
  });
});
