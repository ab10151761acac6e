import { type FieldError, ValidationError } from "@proximity/errors";
import type { hostsV1 } from "@proximity/proto";
import type { NewHost } from "./new-host.js";
import { checkHostSettings, fieldChecker, type HostPolicy } from "./validate-host-settings.js";

/**
 * Checks a CreateHost request and returns the normalised host, or throws one ValidationError
 * listing every bad field (proto field names). Messages never echo the submitted values.
 */
export function validateCreateHost(req: hostsV1.CreateHostRequest, policy: HostPolicy): NewHost {
  const errors: FieldError[] = [];
  const check = fieldChecker(errors);
  const settings = checkHostSettings(req, policy, check);
  const creds = req.credentials;
  check(Boolean(creds?.apiSecret), "credentials.api_secret", "is required");
  check(
    Boolean(creds?.sshPassword || creds?.sshPrivateKey),
    "credentials",
    "ssh_password or ssh_private_key is required",
  );
  if (errors.length > 0 || !settings || !creds) throw new ValidationError("Invalid host", errors);

  return {
    ...settings,
    credentials: {
      apiSecret: creds.apiSecret,
      ssh: {
        ...(creds.sshPassword ? { password: creds.sshPassword } : {}),
        ...(creds.sshPrivateKey ? { privateKey: creds.sshPrivateKey } : {}),
      },
    },
  };
}
