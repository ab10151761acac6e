/**
 * The world a `pct exec` runs in: a Debian container whose files, packages and Docker state live
 * in the container's Guest. Known-but-uninteresting programs succeed silently; names no Debian
 * system has are "not found" (127), so typos in product scripts still fail like on a real host.
 */

import type { FaultRegistry } from "../faults.js";
import { COREUTILS } from "../shell/coreutils.js";
import { createMemoryFs } from "../shell/memory-fs.js";
import type { Program, ShellWorld } from "../shell/types.js";
import type { ContainerRecord } from "../state/container.js";
import { dockerComposeProgram, dockerProgram } from "./docker.js";

/** What `curl https://get.docker.com` returns: a script whose one real step installs Docker. */
const DOCKER_INSTALL_SCRIPT =
  "#!/bin/sh\n# Docker Engine install script (simulated get.docker.com)\nset -e\n__sim_install_docker\n";

const DOCKER_PACKAGES = new Set(["docker.io", "docker-ce", "docker-compose-plugin", "docker-compose"]);

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
  const installDocker: Program = ({ out }) => {
    g.dockerInstalled = true;
    for (const p of ["docker-ce", "docker-ce-cli", "containerd.io", "docker-compose-plugin"])
      g.packages.add(p);
    out("# Executing docker install script\n+ sh -c 'apt-get install -y docker-ce docker-compose-plugin'\n");
    return 0;
  };
  const programs: Record<string, Program> = {
    ...COREUTILS,
    __sim_install_docker: installDocker,
    "apt-get": (io) => apt(ct, io.argv, io.out),
    apt: (io) => apt(ct, io.argv, io.out),
    curl: ({ argv, env, out, err }) => {
      const url = argv.find((a) => /^https?:\/\//.test(a));
      if (!url) {
        err("curl: no URL specified!\n");
        return 2;
      }
      const body = /get\.docker\.com|docker\.com\/.*install/.test(url) ? DOCKER_INSTALL_SCRIPT : "";
      const o = argv.findIndex((a) => a === "-o" || a === "--output");
      if (o >= 0) env.world.fs.write(env.resolve(argv[o + 1] ?? ""), body, false, 0o666 & ~env.umask);
      else out(body);
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
        return g.packages.has("docker-compose") ? dockerComposeProgram(ct, faults) : undefined;
      // Anything apt installed (jq, git …) exists from then on and does nothing visible.
      return programs[name] ?? (g.packages.has(name) ? () => 0 : undefined);
    },
  };
}

function apt(ct: ContainerRecord, argv: readonly string[], out: (t: string) => void): number {
  const args = argv.slice(1).filter((a) => !a.startsWith("-"));
  const [action, ...pkgs] = args;
  if (action === "update") {
    out("Hit:1 http://deb.debian.org/debian bookworm InRelease\nReading package lists... Done\n");
    return 0;
  }
  if (action === "install") {
    for (const p of pkgs) {
      const name = p.replace(/[=:].*$/, "");
      ct.guest.packages.add(name);
      if (DOCKER_PACKAGES.has(name)) ct.guest.dockerInstalled = true;
    }
    out(`Reading package lists... Done\nSetting up ${pkgs.join(" ")} ...\n`);
  }
  return 0;
}
