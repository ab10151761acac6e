/**
 * The `docker` program inside a container (present once Docker is installed): version queries and
 * `docker compose` up/pull/ps/down/config against compose files written into the container. Images
 * are pulled into the guest's image store (`up` pulls the missing ones); injected faults make a pull
 * fail or a started service exit or turn unhealthy, and that outcome stays in the guest's state (so
 * snapshots and rollbacks carry it like a real disk would).
 */

import type { FaultRegistry } from "../faults.js";
import type { Program, ProgramIO } from "../shell/types.js";
import type { ContainerRecord } from "../state/container.js";
import type { ComposeProject, ServiceState } from "../state/guest.js";
import { interpolate, readEnvFile } from "./compose-env.js";
import { type ComposeService, scanComposeServices } from "./compose-file.js";

const DOCKER_VERSION = "Docker version 27.3.1, build ce12230";
const COMPOSE_VERSION = "Docker Compose version v2.29.7";
const COMPOSE_V1_VERSION = "docker-compose version 1.29.2, build unknown";
const DEFAULT_FILES = ["compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"];

/** Where the CLI finds `docker compose` (what the compose v2 packages install). */
export const COMPOSE_PLUGIN_PATH = "/usr/libexec/docker/cli-plugins/docker-compose";
/** The standalone compose (v1 packages; Debian 13's v2 package installs it too). */
export const COMPOSE_BINARY_PATH = "/usr/bin/docker-compose";

/** `docker …` for container `ct`. */
export function dockerProgram(ct: ContainerRecord, faults: FaultRegistry): Program {
  return (io) => {
    const [sub, ...rest] = io.argv.slice(1);
    if (sub === "--version" || sub === "-v") return print(io, `${DOCKER_VERSION}\n`);
    if (sub === "version")
      return print(
        io,
        `Client: Docker Engine - Community\n Version:           27.3.1\nServer: Docker Engine - Community\n Engine:\n  Version:          27.3.1\n`,
      );
    if (sub === "compose") {
      // A CLI plugin: without the package that installs it, `compose` is no docker command.
      if (!io.env.world.fs.exists(COMPOSE_PLUGIN_PATH)) {
        io.err("docker: 'compose' is not a docker command.\nSee 'docker --help'\n");
        return 1;
      }
      return compose(ct, faults, io, rest);
    }
    if (sub === "ps") return print(io, psTable([...ct.guest.composeProjects.values()], rest));
    if (sub === "images" || (sub === "image" && rest[0] === "ls"))
      return print(io, [...ct.guest.images].map((i) => `${i}\n`).join(""));
    return 0; // run, network, volume, system prune …: succeed quietly
  };
}

/** The standalone `docker-compose` binary behaves like `docker compose` (v1 shows its own version). */
export function dockerComposeProgram(ct: ContainerRecord, faults: FaultRegistry): Program {
  return (io) => {
    const args = io.argv.slice(1);
    if (args[0] === "version" && io.env.world.fs.read(COMPOSE_BINARY_PATH) === "v1")
      return print(io, `${COMPOSE_V1_VERSION}\n`);
    return compose(ct, faults, io, args);
  };
}

function print(io: ProgramIO, text: string): number {
  io.out(text);
  return 0;
}

interface Invocation {
  readonly name: string;
  readonly file: string;
  readonly services: readonly ComposeService[];
}

function compose(ct: ContainerRecord, faults: FaultRegistry, io: ProgramIO, args: readonly string[]): number {
  const files: string[] = [];
  let project: string | undefined;
  let envFile: string | undefined;
  let dir: string | undefined;
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === "-f" || a === "--file") files.push(args[++i] ?? "");
    else if (a.startsWith("--file=")) files.push(a.slice(7));
    else if (a === "-p" || a === "--project-name") project = args[++i];
    else if (a === "--project-directory") dir = io.env.resolve(args[++i] ?? ".");
    else if (a === "--env-file") envFile = io.env.resolve(args[++i] ?? "");
    else if (a === "--ansi" || a === "--progress" || a === "--profile") i++;
    else if (!a.startsWith("-")) break;
  }
  const sub = args[i];
  const subArgs = args.slice(i + 1);
  if (sub === "version") return print(io, `${COMPOSE_VERSION}\n`);
  const fs = io.env.world.fs;
  const paths =
    files.length > 0
      ? files.map((f) => io.env.resolve(f))
      : [DEFAULT_FILES.map((f) => `${dir ?? io.env.cwd}/${f}`).find((p) => fs.exists(p))];
  if (paths[0] === undefined) {
    io.err("no configuration file provided: not found\n");
    return 1;
  }
  const missing = paths.find((p) => p === undefined || fs.read(p) === undefined);
  if (missing !== undefined) {
    io.err(`open ${missing}: no such file or directory\n`);
    return 1;
  }
  const file = paths[0];
  // Compose's project directory is the first file's directory; `.env` there feeds interpolation.
  const projectDir = dir ?? file.slice(0, file.lastIndexOf("/"));
  const name = (project ?? projectDir.split("/").pop() ?? "app").toLowerCase().replace(/[^a-z0-9_-]/g, "");
  const vars = readEnvFile(fs.read(envFile ?? `${projectDir}/.env`) ?? "");
  const services = paths
    .flatMap((p) => scanComposeServices(fs.read(p!) ?? ""))
    .map((s) => ({ ...s, image: interpolate(s.image, vars) }));
  const call: Invocation = { name, file, services };
  const projects = ct.guest.composeProjects;
  switch (sub) {
    case "up":
    case "start":
    case "restart":
      return up(ct, faults, io, call);
    case "pull":
      return pull(ct, faults, io, services, false);
    case "down":
    case "stop":
    case "rm":
      projects.delete(name);
      io.err(services.map((s) => ` Container ${name}-${s.name}-1  Removed\n`).join(""));
      return 0;
    case "ps":
      return print(io, composePs(projects.get(name), subArgs));
    case "config":
      return print(io, fs.read(file) ?? "");
    case "ls":
      return print(
        io,
        `${JSON.stringify([...projects.values()].map((p) => ({ Name: p.name, Status: `running(${p.services.length})`, ConfigFiles: p.file })))}\n`,
      );
    default:
      return 0; // logs, exec, images …
  }
}

/** Pulls the images of `services` (only the missing ones when `missingOnly`); 1 on the first failure. */
function pull(
  ct: ContainerRecord,
  faults: FaultRegistry,
  io: ProgramIO,
  services: readonly ComposeService[],
  missingOnly: boolean,
): number {
  for (const s of services) {
    if (missingOnly && ct.guest.images.has(s.image)) continue;
    io.err(` ${s.name} Pulling\n`);
    const failure = faults.forImagePull(ct.vmid, s.image);
    if (failure !== undefined) {
      io.err(` ${s.name} Error ${failure}\nError response from daemon: ${stripDaemonPrefix(failure)}\n`);
      return 1;
    }
    ct.guest.images.add(s.image);
    io.err(` ${s.name} Pulled\n`);
  }
  return 0;
}

/** `up -d` (also `start`/`restart`): pulls missing images, then (re)creates changed containers. */
function up(ct: ContainerRecord, faults: FaultRegistry, io: ProgramIO, call: Invocation): number {
  const pulled = pull(ct, faults, io, call.services, true);
  if (pulled !== 0) return pulled;
  const before = new Map((ct.guest.composeProjects.get(call.name)?.services ?? []).map((s) => [s.name, s]));
  const now = Date.now();
  const services = call.services.map((s): ServiceState => {
    const old = before.get(s.name);
    const unchanged = old?.image === s.image && old.state === "running" && old.health === "";
    if (unchanged) return old;
    const fault = faults.forServiceStart(ct.vmid, s.image);
    const exitCode = fault?.kind === "service-exit" ? (fault.exitCode ?? 1) : 0;
    return {
      name: s.name,
      image: s.image,
      restart: s.restart,
      state: fault?.kind !== "service-exit" ? "running" : s.restart ? "restarting" : "exited",
      health: fault?.kind === "service-unhealthy" ? "unhealthy" : "",
      exitCode,
      startedAt: now,
    };
  });
  ct.guest.composeProjects.set(call.name, { name: call.name, file: call.file, services });
  io.err(
    services
      .map((s) => ` Container ${call.name}-${s.name}-1  ${before.has(s.name) ? "Recreated" : "Started"}\n`)
      .join(""),
  );
  return 0;
}

function stripDaemonPrefix(message: string): string {
  return message.replace(/^Error response from daemon:\s*/, "");
}

/**
 * `docker compose ps`: only running containers unless `-a`/`--all` (as docker compose does); one
 * JSON object per line with `--format json` (Compose ≥ 2.21), else a table.
 */
function composePs(project: ComposeProject | undefined, args: readonly string[]): string {
  const all = args.some((a) => a === "--all" || /^-[a-zA-Z]*a/.test(a));
  const visible = project ? project.services.filter((s) => all || s.state !== "exited") : [];
  const rows = project ? visible.map((s) => psRow(project, s)) : [];
  const format = args[args.indexOf("--format") + 1] ?? args.find((a) => a.startsWith("--format="))?.slice(9);
  if (args.includes("-q") || args.includes("--quiet")) return rows.map((r) => `${r.ID}\n`).join("");
  if (format === "json") return rows.map((r) => `${JSON.stringify(r)}\n`).join("");
  return psTable(project ? [{ ...project, services: visible }] : [], ["--all"]);
}

function psRow(project: ComposeProject, s: ServiceState) {
  const seconds = Math.max(1, Math.floor((Date.now() - s.startedAt) / 1000));
  const id = Buffer.from(`${project.name}/${s.name}`).toString("hex").padEnd(12, "0").slice(0, 12);
  return {
    Command: '"/docker-entrypoint.sh"',
    CreatedAt: new Date(s.startedAt).toISOString().replace("T", " ").replace(/\..*/, " +0000 UTC"),
    ExitCode: s.exitCode,
    Health: s.health,
    ID: id,
    Image: s.image,
    Labels: `com.docker.compose.project=${project.name},com.docker.compose.service=${s.name}`,
    LocalVolumes: "0",
    Mounts: "",
    Name: `${project.name}-${s.name}-1`,
    Names: `${project.name}-${s.name}-1`,
    Networks: `${project.name}_default`,
    Ports: "",
    Project: project.name,
    Publishers: [],
    RunningFor: `${seconds} seconds ago`,
    Service: s.name,
    Size: "0B",
    State: s.state,
    Status: statusText(s, seconds),
  };
}

function statusText(s: ServiceState, seconds: number): string {
  if (s.state === "exited") return `Exited (${s.exitCode}) ${seconds} seconds ago`;
  if (s.state === "restarting") return `Restarting (${s.exitCode}) 1 second ago`;
  return `Up ${seconds} seconds${s.health ? ` (${s.health})` : ""}`;
}

/** `docker ps` (running containers; all with `-a`) or a compose ps table. */
function psTable(projects: readonly ComposeProject[], args: readonly string[]): string {
  const all = args.some((a) => a === "--all" || /^-[a-zA-Z]*a/.test(a));
  const header = "NAME                IMAGE               SERVICE   STATUS\n";
  return (
    header +
    projects
      .flatMap((p) =>
        p.services
          .filter((s) => all || s.state !== "exited")
          .map((s) => `${p.name}-${s.name}-1   ${s.image}   ${s.name}   ${statusText(s, 1)}\n`),
      )
      .join("")
  );
}
