/**
 * The `docker` program inside a container (present once Docker is installed): version queries and
 * `docker compose` up/pull/ps/down/config against compose files written into the container.
 */

import type { Program, ProgramIO } from "../shell/types.js";
import type { ContainerRecord } from "../state/container.js";
import type { ComposeProject } from "../state/guest.js";
import { scanComposeServices } from "./compose-file.js";

const DOCKER_VERSION = "Docker version 27.3.1, build ce12230";
const COMPOSE_VERSION = "Docker Compose version v2.29.7";
const DEFAULT_FILES = ["compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"];

/** `docker …` for container `ct`. */
export function dockerProgram(ct: ContainerRecord): Program {
  return (io) => {
    const [sub, ...rest] = io.argv.slice(1);
    if (sub === "--version" || sub === "-v") return print(io, `${DOCKER_VERSION}\n`);
    if (sub === "version")
      return print(
        io,
        `Client: Docker Engine - Community\n Version:           27.3.1\nServer: Docker Engine - Community\n Engine:\n  Version:          27.3.1\n`,
      );
    if (sub === "compose") return compose(ct, io, rest);
    if (sub === "ps") return print(io, psTable(ct, [...ct.guest.composeProjects.values()]));
    return 0; // pull, run, network, volume, system prune …: succeed quietly
  };
}

/** The standalone `docker-compose` binary behaves like `docker compose`. */
export function dockerComposeProgram(ct: ContainerRecord): Program {
  return (io) => compose(ct, io, io.argv.slice(1));
}

function print(io: ProgramIO, text: string): number {
  io.out(text);
  return 0;
}

function compose(ct: ContainerRecord, io: ProgramIO, args: readonly string[]): number {
  const files: string[] = [];
  let project: string | undefined;
  let dir = io.env.cwd;
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === "-f" || a === "--file") files.push(args[++i] ?? "");
    else if (a.startsWith("--file=")) files.push(a.slice(7));
    else if (a === "-p" || a === "--project-name") project = args[++i];
    else if (a === "--project-directory") dir = io.env.resolve(args[++i] ?? ".");
    else if (a === "--env-file" || a === "--ansi" || a === "--progress" || a === "--profile") i++;
    else if (!a.startsWith("-")) break;
  }
  const sub = args[i];
  const subArgs = args.slice(i + 1);
  if (sub === "version") return print(io, `${COMPOSE_VERSION}\n`);
  const fs = io.env.world.fs;
  const paths =
    files.length > 0
      ? files.map((f) => io.env.resolve(f))
      : [DEFAULT_FILES.map((f) => `${dir}/${f}`).find((p) => fs.exists(p))];
  const missing = paths.find((p) => p === undefined || fs.read(p) === undefined);
  if (paths[0] === undefined) {
    io.err("no configuration file provided: not found\n");
    return 1;
  }
  if (missing !== undefined) {
    io.err(`open ${missing}: no such file or directory\n`);
    return 1;
  }
  const file = paths[0];
  const name = (project ?? file.split("/").slice(-2, -1)[0] ?? "app")
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, "");
  const services = paths.flatMap((p) => scanComposeServices(fs.read(p!) ?? ""));
  const projects = ct.guest.composeProjects;
  switch (sub) {
    case "up":
    case "start":
    case "restart": {
      const existing = projects.get(name);
      projects.set(name, { name, file, services, startedAt: existing?.startedAt ?? Date.now() });
      io.err(services.map((s) => ` Container ${name}-${s.name}-1  Started\n`).join(""));
      return 0;
    }
    case "pull":
      io.err(services.map((s) => ` ${s.name} Pulled\n`).join(""));
      return 0;
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

/** `docker compose ps`: one JSON object per line with `--format json` (Compose ≥ 2.21), else a table. */
function composePs(project: ComposeProject | undefined, args: readonly string[]): string {
  const rows = project ? project.services.map((s) => psRow(project, s)) : [];
  const format = args[args.indexOf("--format") + 1] ?? args.find((a) => a.startsWith("--format="))?.slice(9);
  if (args.includes("-q") || args.includes("--quiet")) return rows.map((r) => `${r.ID}\n`).join("");
  if (format === "json") return rows.map((r) => `${JSON.stringify(r)}\n`).join("");
  return psTable(undefined, project ? [project] : []);
}

function psRow(project: ComposeProject, s: { name: string; image: string }) {
  const seconds = Math.max(1, Math.floor((Date.now() - project.startedAt) / 1000));
  const id = Buffer.from(`${project.name}/${s.name}`).toString("hex").padEnd(12, "0").slice(0, 12);
  return {
    Command: '"/docker-entrypoint.sh"',
    CreatedAt: new Date(project.startedAt).toISOString().replace("T", " ").replace(/\..*/, " +0000 UTC"),
    ExitCode: 0,
    Health: "",
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
    State: "running",
    Status: `Up ${seconds} seconds`,
  };
}

function psTable(_ct: ContainerRecord | undefined, projects: readonly ComposeProject[]): string {
  const header = "NAME                IMAGE               SERVICE   STATUS\n";
  return (
    header +
    projects
      .flatMap((p) => p.services.map((s) => `${p.name}-${s.name}-1   ${s.image}   ${s.name}   Up\n`))
      .join("")
  );
}
