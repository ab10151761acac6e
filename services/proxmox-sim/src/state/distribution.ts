/**
 * The Linux distribution inside a container, from the template it was created from: what its
 * `/etc/os-release` says and which Docker packages its archive has. Only the Docker packages are
 * modelled, because they are what differs between releases and what the product installs:
 * `docker.io` (engine and CLI) everywhere; the `docker compose` plugin from `docker-compose` on
 * Debian 13, from `docker-compose-v2` on Ubuntu 24.04; Debian 12 and Ubuntu 24.04's
 * `docker-compose` is the old standalone v1. Docker Inc.'s own packages (docker-ce,
 * docker-compose-plugin …) are in no distribution archive.
 */

/** What installing a package puts on the system. */
export type DockerPackage = "engine" | "compose-plugin" | "compose-v1";

export interface Distribution {
  /** `/etc/os-release` VERSION_CODENAME. */
  readonly codename: string;
  readonly osRelease: string;
  /** The archive's source line, as `apt-get update` prints it. */
  readonly archive: string;
  readonly dockerPackages: Readonly<Record<string, DockerPackage>>;
}

const debian = (version: string, codename: string, compose: DockerPackage): Distribution => ({
  codename,
  osRelease: `PRETTY_NAME="Debian GNU/Linux ${version} (${codename})"\nID=debian\nVERSION_ID="${version}"\nVERSION_CODENAME=${codename}\n`,
  archive: `http://deb.debian.org/debian ${codename}`,
  dockerPackages: { "docker.io": "engine", "docker-compose": compose },
});

const DISTRIBUTIONS: readonly { readonly template: RegExp; readonly distribution: Distribution }[] = [
  { template: /debian-12-/, distribution: debian("12", "bookworm", "compose-v1") },
  { template: /debian-13-/, distribution: debian("13", "trixie", "compose-plugin") },
  {
    template: /ubuntu-24\.04-/,
    distribution: {
      codename: "noble",
      osRelease: 'PRETTY_NAME="Ubuntu 24.04 LTS"\nID=ubuntu\nVERSION_ID="24.04"\nVERSION_CODENAME=noble\n',
      archive: "http://archive.ubuntu.com/ubuntu noble",
      dockerPackages: {
        "docker.io": "engine",
        "docker-compose": "compose-v1",
        "docker-compose-v2": "compose-plugin",
      },
    },
  },
];

/** Debian 12, the distribution of a template the simulator does not know. */
const FALLBACK = DISTRIBUTIONS[0]!.distribution;

/** The distribution a template (`local:vztmpl/debian-13-standard_…`) holds. */
export function distributionOfTemplate(template: string | undefined): Distribution {
  return DISTRIBUTIONS.find((d) => d.template.test(template ?? ""))?.distribution ?? FALLBACK;
}

/** The distribution a guest runs, from the VERSION_CODENAME of its `/etc/os-release`. */
export function distributionOfRelease(osRelease: string | undefined): Distribution {
  const codename = /^VERSION_CODENAME=(\S+)$/m.exec(osRelease ?? "")?.[1];
  return DISTRIBUTIONS.find((d) => d.distribution.codename === codename)?.distribution ?? FALLBACK;
}

/** Names apt would resolve against the Docker packages of an archive (the rest are modelled as available). */
export function isDockerPackageName(name: string): boolean {
  return /^(docker|containerd)/.test(name);
}
