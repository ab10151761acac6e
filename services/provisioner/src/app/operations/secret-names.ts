/** Names of an app's secrets in the secrets service (the policy grants the provisioner `apps/`). */

/** The generated root password of an app's container. */
export function rootPasswordSecretName(appId: string): string {
  return `apps/${appId}/root-password`;
}

/** The value of secret environment variable `name` of app `appId` (put there by applications). */
export function appEnvSecretName(appId: string, name: string): string {
  return `apps/${appId}/env/${name}`;
}
