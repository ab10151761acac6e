import type { App, Backup, BackupPolicy, CatalogItem, CurrentUser, Host } from "../api/types";

// Resources as the API answers them, for component tests: each takes the fields a test cares about.

const CREATED = "2025-01-01T00:00:00Z";

export function makeUser(overrides: Partial<CurrentUser> = {}): CurrentUser {
  return {
    id: "00000000-0000-4000-8000-000000000001",
    username: "alice",
    is_admin: false,
    is_active: true,
    created_at: CREATED,
    updated_at: CREATED,
    ...overrides,
  };
}

export const makeAdmin = (overrides: Partial<CurrentUser> = {}) => makeUser({ is_admin: true, ...overrides });

export const APP_ID = "11111111-1111-4111-8111-111111111111";

export function makeApp(overrides: Partial<App> = {}): App {
  return {
    id: APP_ID,
    owner_id: "u1",
    catalog_id: "wiki",
    hostname: "wiki",
    status: "running",
    status_message: null,
    host_id: "h1",
    node: "pve1",
    vmid: 101,
    port: 8080,
    ip_address: "10.0.0.5",
    environment: { SITE_NAME: "Home wiki" },
    created_at: "2025-01-01T10:00:00Z",
    updated_at: "2025-01-02T10:00:00Z",
    metrics: null,
    access_url: "http://10.0.0.5:8080",
    secrets: { DB_PASSWORD: "set" },
    adopted: false,
    attention: null,
    current_operation: null,
    uptime_seconds: 3600,
    ...overrides,
  };
}

export function makeBackup(overrides: Partial<Backup> = {}): Backup {
  return {
    id: "b1",
    app_id: APP_ID,
    owner_id: "u1",
    host_id: "h1",
    node: "pve1",
    vmid: 101,
    storage: "local",
    volid: "local:backup/vzdump-lxc-101-2025_01_03-03_00_00.tar.zst",
    size_bytes: 1_572_864,
    mode: "snapshot",
    compression: "zstd",
    status: "completed",
    trigger: "manual",
    error: null,
    created_at: "2025-01-03T03:00:00Z",
    completed_at: "2025-01-03T03:01:00Z",
    restoring: false,
    restorable: true,
    app_deleted: false,
    app_hostname: null,
    app_catalog_id: null,
    ...overrides,
  };
}

/** The policy a new app starts with: schedule off, keep the last 7. */
export function makeBackupPolicy(overrides: Partial<BackupPolicy> = {}): BackupPolicy {
  return {
    app_id: APP_ID,
    enabled: false,
    schedule: "0 3 * * *",
    time_zone: "UTC",
    mode: "snapshot",
    compression: "zstd",
    keep_last: 7,
    keep_hourly: 0,
    keep_daily: 0,
    keep_weekly: 0,
    keep_monthly: 0,
    keep_yearly: 0,
    next_run_at: null,
    last_run_at: null,
    updated_at: null,
    ...overrides,
  };
}

/** A catalog app as GET /api/catalog/{app_id} answers it: one plain, one required, one secret variable. */
export function makeCatalogItem(overrides: Partial<CatalogItem> = {}): CatalogItem {
  return {
    id: "wiki",
    name: "Wiki",
    description: "A wiki for your team.",
    category: "Productivity",
    version: "1.2.3",
    icon: "https://icons.example/wiki.svg",
    website: "https://wiki.example",
    port: 8080,
    cores: 2,
    memory_mb: 1024,
    disk_gb: 8,
    environment: [
      { name: "TZ", description: "Time zone", default: "UTC", required: false, secret: false },
      { name: "ADMIN_EMAIL", description: "Who gets the mail", default: null, required: true, secret: false },
      { name: "DB_PASSWORD", description: "Database password", default: null, required: true, secret: true },
    ],
    compose: "services: {}",
    ...overrides,
  };
}

const HOST_ID = "11111111-1111-4111-8111-111111111111";

/** A stored host, reachable, with one online node. */
export function makeHost(overrides: Partial<Host> = {}): Host {
  return {
    id: HOST_ID,
    name: "pve-lab",
    address: "pve.example.net",
    port: 8006,
    auth_mode: "api_token",
    username: "root@pam!proximity",
    tls_fingerprint: `${"AB:".repeat(31)}AB`,
    tls_ca_fingerprint: null,
    insecure_http: false,
    ssh_username: "root",
    status: "reachable",
    nodes: [
      {
        host_id: HOST_ID,
        name: "pve1",
        status: "online",
        ssh_host: "10.0.0.2",
        ssh_port: 22,
        ssh_host_key_fingerprint: `SHA256:${"a".repeat(43)}`,
        trust_on_first_use: false,
        cpu: 0.25,
        mem_bytes: 4 * 1024 ** 3,
        max_mem_bytes: 16 * 1024 ** 3,
        updated_at: "2025-05-01T10:00:00Z",
      },
    ],
    created_at: "2025-04-01T10:00:00Z",
    updated_at: "2025-04-01T10:00:00Z",
    last_checked_at: "2025-05-01T10:00:00Z",
    last_check_error: null,
    pve_version: "8.4.1",
    backup_storage: "local",
    ...overrides,
  };
}
