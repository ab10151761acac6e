/** How Proximity authenticates to a host's API. */
export type AuthMode = "api_token" | "password";

export interface NewNode {
  readonly name: string;
  readonly sshHost: string;
  readonly sshPort: number;
  /** "" only when trustOnFirstUse: the first host check pins the presented key. */
  readonly sshHostKeyFingerprint: string;
  readonly trustOnFirstUse: boolean;
}

/** Credentials as written to the secrets service: they never reach this service's database. */
export interface HostCredentials {
  /** API token secret or password, per auth mode. */
  readonly apiSecret: string;
  readonly ssh: { readonly password?: string; readonly privateKey?: string };
}

/** A host's validated, normalised settings (everything but credentials). */
export interface HostSettings {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly authMode: AuthMode;
  readonly username: string;
  readonly tlsFingerprint: string | null;
  /** PEM CA verifying the API certificate; never set together with tlsFingerprint. */
  readonly tlsCaPem: string | null;
  readonly insecureHttp: boolean;
  readonly sshUsername: string;
  readonly nodes: readonly NewNode[];
  /** PVE storage id (with `backup` content) backups of apps on this host go to. */
  readonly backupStorage: string;
}

/** A validated, normalised host registration. */
export interface NewHost extends HostSettings {
  readonly credentials: HostCredentials;
}

/** Credentials given to UpdateHost: each part present replaces the stored secret it lives in. */
export interface CredentialUpdate {
  readonly apiSecret?: string;
  readonly ssh?: HostCredentials["ssh"];
}

/** Secret names holding a host's credentials (the secrets policy grants on this prefix). */
export function credentialSecretNames(hostId: string): { api: string; ssh: string } {
  return { api: `proxmox/hosts/${hostId}/api`, ssh: `proxmox/hosts/${hostId}/ssh` };
}
