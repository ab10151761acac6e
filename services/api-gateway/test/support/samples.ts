import { randomUUID } from "node:crypto";
import { applicationsV1, type backupsV1, hostsV1 } from "@proximity/proto";

export function sampleCatalogItem(): applicationsV1.CatalogItem {
  return {
    id: "nginx",
    name: "Nginx",
    description: "Web server",
    category: "tools",
    version: "1.27",
    icon: "nginx.svg",
    compose: "services:\n  web:\n    image: nginx\n",
    port: 80,
    cores: 1,
    memoryMb: 512,
    diskGb: 4,
    environment: [],
    website: "",
  };
}

export function sampleApp(overrides: Partial<applicationsV1.App> = {}): applicationsV1.App {
  return {
    id: randomUUID(),
    ownerId: randomUUID(),
    catalogId: "nginx",
    hostname: "web-1",
    status: applicationsV1.AppStatus.APP_STATUS_DEPLOYING,
    statusMessage: "",
    hostId: "",
    node: "",
    vmid: 0,
    port: 0,
    ipAddress: "",
    environment: {},
    createdAt: new Date(),
    updatedAt: new Date(),
    metrics: undefined,
    accessUrl: "",
    secrets: {},
    adopted: false,
    attention: "",
    currentOperation: "",
    uptimeSeconds: 0,
    ...overrides,
  };
}

export function sampleHost(overrides: Partial<hostsV1.Host> = {}): hostsV1.Host {
  const id = overrides.id ?? randomUUID();
  return {
    id,
    name: "pve-lab",
    address: "10.0.0.2",
    port: 8006,
    authMode: hostsV1.AuthMode.AUTH_MODE_API_TOKEN,
    username: "root@pam!proximity",
    tlsFingerprint: "",
    tlsCaFingerprint: "",
    insecureHttp: false,
    status: "online",
    nodes: [
      {
        hostId: id,
        name: "pve1",
        status: "online",
        sshHost: "10.0.0.2",
        sshPort: 22,
        sshHostKeyFingerprint: `SHA256:${"A".repeat(43)}`,
        trustOnFirstUse: false,
        cpu: 0.1,
        memBytes: 1,
        maxMemBytes: 2,
        updatedAt: new Date(),
      },
    ],
    createdAt: new Date(),
    updatedAt: new Date(),
    sshUsername: "root",
    backupStorage: "local",
    ...overrides,
  };
}

/** A completed manual backup of an app (owner and app given by the caller). */
export function sampleBackup(
  overrides: Partial<backupsV1.Backup> & { appId: string; ownerId: string },
): backupsV1.Backup {
  const createdAt = overrides.createdAt ?? new Date();
  return {
    id: randomUUID(),
    hostId: randomUUID(),
    node: "pve1",
    vmid: 120,
    storage: "local",
    volid: "local:backup/vzdump-lxc-120-2030_01_01-03_00_00.tar.zst",
    sizeBytes: 52_428_800,
    mode: "snapshot",
    compression: "zstd",
    status: "completed",
    trigger: "manual",
    error: "",
    createdAt,
    completedAt: createdAt,
    restoring: false,
    appDeleted: false,
    restorable: true,
    appHostname: "",
    appCatalogId: "",
    ...overrides,
  };
}
