/**
 * SSH login check for the node servers: password (constant-time compare) or an authorized public
 * key (with its signature verified when the client sends one).
 */
import { timingSafeEqual } from "node:crypto";
import ssh2, { type AuthContext } from "ssh2";

// ssh2 is CommonJS; its `utils` is not visible as a named ESM export.
const { utils } = ssh2;

export interface SshLogin {
  readonly username: string;
  readonly password?: string;
  readonly authorizedKeys?: readonly string[];
}

/** Accepts or rejects one authentication attempt. */
export function checkLogin(login: SshLogin, ctx: AuthContext): void {
  if (ctx.username !== login.username) {
    ctx.reject();
    return;
  }
  if (ctx.method === "password" && login.password !== undefined && equal(ctx.password, login.password)) {
    ctx.accept();
    return;
  }
  if (ctx.method === "publickey") {
    for (const entry of login.authorizedKeys ?? []) {
      const key = utils.parseKey(entry);
      if (key instanceof Error || key.type !== ctx.key.algo || !ctx.key.data.equals(key.getPublicSSH()))
        continue;
      // Without a signature the client only asks whether the key would do.
      if (!ctx.signature || !ctx.blob || key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true)
        ctx.accept();
      else ctx.reject();
      return;
    }
  }
  ctx.reject(["password", "publickey"]);
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
