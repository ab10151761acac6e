/**
 * The world a `pct exec` runs in: a Debian or Ubuntu container whose files, packages and Docker
 * state live in the container's Guest. Known-but-uninteresting programs succeed silently; names no
 * Debian system has are "not found" (127), so typos in product scripts still fail like on a real
 * host. Docker comes only from the distribution's packages (`apt-get`, state/distribution.ts):
 * piped install scripts from the Internet do not work here, so a product script relying on one
 * fails its tests.
 */

import type { FaultRegistry } from "../faults.js";
import { COREUTILS } from "../shell/coreutils.js";
import { createMemoryFs } from "../shell/memory-fs.js";
import type { Program, ProgramIO, ShellFs, ShellWorld } from "../shell/types.js";
import type { ContainerRecord } from "../state/container.js";
import { distributionOfRelease, isDockerPackageName } from "../state/distribution.js";
import { COMPOSE_BINARY_PATH, COMPOSE_PLUGIN_PATH, dockerComposeProgram, dockerProgram } from "./docker.js";

/** Written by `apt-get update`: without package lists apt finds no package. */
const APT_LISTS = "/var/lib/apt/lists";

/** Programs of a standard Debian template that scripts call for side effects we do not model. */
const QUIET_PROGRAMS = [
  "chown",
  "ln",
  "awk",
  "sort",
  "uniq",
  "wc",
  "cut",
  "tr",
  "find",
  "xargs",
  "install",
  "tar",
  "gzip",
  "gunzip",
  "zstd",
  "gpg",
  "openssl",
  "base64",
  "sha256sum",
  "useradd",
  "usermod",
  "groupadd",
  "chpasswd",
  "passwd",
  "locale-gen",
  "update-locale",
  "dpkg",
  "dpkg-reconfigure",
  "update-ca-certificates",
  "journalctl",
  "ss",
  "ping",
  "lsb_release",
  "free",
  "df",
  "du",
  "ps",
  "kill",
  "pkill",
  "pgrep",
  "readlink",
  "realpath",
  "getent",
  "mount",
  "umount",
  "sync",
  "sleep",
  "service",
  "apt-key",
  "add-apt-repository",
  "update-alternatives",
  "wget",
  "ip",
  "date",
  "id",
  "whoami",
  "uname",
  "mktemp",
  "rmdir",
  "which",
];

/** The programs of container `ct` (after shell builtins); `faults` reach its Docker. */
export function createContainerWorld(ct: ContainerRecord, faults: FaultRegistry): ShellWorld {
  const g = ct.guest;
  const fs = createMemoryFs(g.files, g.dirs, g.modes);
  const programs: Record<string, Program> = {
    ...COREUTILS,
    "apt-get": (io) => apt(ct, fs, io),
    apt: (io) => apt(ct, fs, io),
    curl: ({ argv, env, out, err }) => {
      const url = argv.find((a) => /^https?:\/\//.test(a));
      if (!url) {
        err("curl: no URL specified!\n");
        return 2;
      }
      // Docker's install scripts are out of reach: Docker comes from the distribution's packages.
      const host = /^https?:\/\/([^/:?#]+)/.exec(url)?.[1] ?? "";
      if (host === "docker.com" || host.endsWith(".docker.com")) {
        err(`curl: (6) Could not resolve host: ${host}\n`);
        return 6;
      }
      const o = argv.findIndex((a) => a === "-o" || a === "--output");
      if (o >= 0) env.world.fs.write(env.resolve(argv[o + 1] ?? ""), "", false, 0o666 & ~env.umask);
      else out("");
      return 0;
    },
    systemctl: ({ argv, out }) => {
      const unit = argv[argv.length - 1] ?? "";
      if (argv[1] !== "is-active") return 0;
      const active = !unit.startsWith("docker") || g.dockerInstalled;
      out(active ? "active\n" : "inactive\n");
      return active ? 0 : 3;
    },
    hostname: ({ argv, out }) => {
      out(
        argv[1] === "-I"
          ? `${g.ip} \n`
          : argv[1] === "-i"
            ? `${g.ip}\n`
            : `${ct.config.hostname ?? `CT${ct.vmid}`}\n`,
      );
      return 0;
    },
  };
  for (const name of QUIET_PROGRAMS) programs[name] ??= () => 0;
  return {
    fs,
    program(name) {
      if (name === "docker") return g.dockerInstalled ? dockerProgram(ct, faults) : undefined;
      if (name === "docker-compose")
        return fs.exists(COMPOSE_BINARY_PATH) ? dockerComposeProgram(ct, faults) : undefined;
      // Anything apt installed (jq, git …) exists from then on and does nothing visible.
      return programs[name] ?? (g.packages.has(name) ? () => 0 : undefined);
    },
  };
}

/**
 * `apt-get update | install …` against the guest's distribution (its /etc/os-release). Like apt, an
 * install resolves every package first and installs none when one is missing (exit 100); without
 * `apt-get update` a fresh template knows no package. Docker packages are resolved against the
 * distribution's archive; any other package is taken as available.
 */
function apt(ct: ContainerRecord, fs: ShellFs, { argv, out, err }: ProgramIO): number {
  const g = ct.guest;
  const distribution = distributionOfRelease(g.files.get("/etc/os-release"));
  const lists = `${APT_LISTS}/${distribution.codename}_InRelease`;
  const args = argv.slice(1).filter((a) => !a.startsWith("-"));
  const [action, ...pkgs] = args;
  if (action === "update") {
    fs.write(lists, distribution.archive);
    out(`Hit:1 ${distribution.archive} InRelease\nReading package lists... Done\n`);
    return 0;
  }
  if (action !== "install") return 0;
  const names = pkgs.map((p) => p.replace(/[=:].*$/, ""));
  const missing = names.filter(
    (name) =>
      !g.files.has(lists) || (isDockerPackageName(name) && distribution.dockerPackages[name] === undefined),
  );
  if (missing.length > 0) {
    err(missing.map((name) => `E: Unable to locate package ${name}\n`).join(""));
    return 100;
  }
  for (const name of names) {
    g.packages.add(name);
    const installs = distribution.dockerPackages[name];
    if (installs === "engine") {
      g.dockerInstalled = true;
      fs.write("/usr/bin/docker", "");
    }
    if (installs === "compose-plugin") fs.write(COMPOSE_PLUGIN_PATH, "v2");
    // Debian 13's docker-compose also installs the standalone name; v1 packages only that.
    if (installs === "compose-v1" || (installs === "compose-plugin" && name === "docker-compose"))
      fs.write(COMPOSE_BINARY_PATH, installs === "compose-v1" ? "v1" : "v2");
  }
  out(`Reading package lists... Done\nSetting up ${names.join(" ")} ...\n`);
  return 0;
}
