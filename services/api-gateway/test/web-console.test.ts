import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consoleContentSecurityPolicy, loadWebConsole } from "../src/http/plugins/web-console.js";
import { type Harness, startHarness } from "./support/gateway-harness.js";

const INDEX =
  '<!doctype html><html><head><script type="module" src="/assets/index-Ab12.js"></script></head></html>';
const SCRIPT = "console.log('console');";
const ROBOTS = "User-agent: *\nDisallow: /\n";

let dir: string;
let h: Harness;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "console-"));
  await mkdir(join(dir, "assets"));
  await writeFile(join(dir, "index.html"), INDEX);
  await writeFile(join(dir, "assets", "index-Ab12.js"), SCRIPT);
  await writeFile(join(dir, "favicon.svg"), "<svg/>");
  await writeFile(join(dir, "robots.txt"), ROBOTS);
  await writeFile(join(dir, "assets", "index-Ab12.js.map"), '{"sources":["src/main.tsx"]}');
  await writeFile(join(dir, ".env"), "SECRET=1");
  h = await startHarness({ env: { WEB_CONSOLE_DIR: dir } });
});
afterAll(async () => {
  await h?.stop();
  await rm(dir, { recursive: true, force: true });
});

const get = (path: string, init?: RequestInit) => fetch(new URL(path, h.url), init);

/**
 * A GET with exactly these headers (fetch sets its own Sec-Fetch-Mode, "cors"), as a browser sends
 * them; the answer's status, content type, CSP and body.
 */
function getAs(path: string, headers: Record<string, string>) {
  return new Promise<{ status: number; type: string; csp: string; body: string }>((resolve, reject) => {
    const req = httpRequest(new URL(path, h.url), { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          type: String(res.headers["content-type"] ?? ""),
          csp: String(res.headers["content-security-policy"] ?? ""),
          body: Buffer.concat(chunks).toString("utf8"),
        }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

describe("the web console served at /", () => {
  it("serves index.html to anyone, revalidated each time, under a strict CSP", async () => {
    const res = await get("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await res.text()).toBe(INDEX);
    expect(res.headers.get("cache-control")).toBe("no-cache");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toBe(consoleContentSecurityPolicy(true));
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("answers the console's own routes with index.html, so a reload or a shared link works", async () => {
    for (const path of ["/apps", "/apps/5f0c/backups", "/store?search=git", "/sign-in?next=%2Fapps"]) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(await res.text(), path).toBe(INDEX);
    }
  });

  it("answers a missing file with the JSON 404, not the page; a file that exists is served", async () => {
    for (const path of [
      "/favicon.ico",
      "/wp-login.php",
      "/.well-known/security.txt",
      "/apps/a1/x.json",
      "/x%2Ephp",
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(await res.json(), path).toEqual({ detail: "Not found" });
    }
    const robots = await get("/robots.txt");
    expect(robots.status).toBe(200);
    expect(await robots.text()).toBe(ROBOTS);
    expect(robots.headers.get("cache-control")).toBe("no-cache");
    // The console's deep links still load it: ids are UUIDs and catalog slugs, without a dot.
    for (const path of [
      "/apps/5f0c2b9e-8c1d-4e5f-9a7b-0c1d2e3f4a5b",
      "/store/nextcloud-aio",
      "/admin/users/5f0c2b9e-8c1d-4e5f-9a7b-0c1d2e3f4a5b",
      "/sign-in?next=%2Fapps%2Fa.b",
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(await res.text(), path).toBe(INDEX);
    }
  });

  it("answers a browser navigating to a missing file with the console's page, status 404", async () => {
    const navigating = { "sec-fetch-mode": "navigate", accept: "text/html,*/*;q=0.8" };
    for (const path of ["/foo.png", "/wp-login.php", "/apps/a1/x.json", "/assets/index-Zz99.js"]) {
      const res = await getAs(path, navigating);
      expect([res.status, res.body], path).toEqual([404, INDEX]);
      expect(res.type, path).toMatch(/^text\/html/);
      expect(res.csp, path).toBe(consoleContentSecurityPolicy(true));
    }
    // Without fetch metadata, asking for HTML is a navigation too.
    const old = await getAs("/foo.png", { accept: "text/html" });
    expect([old.status, old.body]).toEqual([404, INDEX]);
    // The same path loaded as an image or a script, or by an API client, stays a JSON 404.
    const others: Record<string, string>[] = [
      { "sec-fetch-mode": "no-cors", "sec-fetch-dest": "image", accept: "image/avif,image/*" },
      { "sec-fetch-mode": "cors", accept: "text/html" },
      { accept: "application/json" },
    ];
    for (const headers of others) {
      const res = await getAs("/foo.png", headers);
      expect([res.status, JSON.parse(res.body)]).toEqual([404, { detail: "Not found" }]);
    }
    // The API is never answered with the page.
    const api = await getAs("/api/nope.json", navigating);
    expect([api.status, JSON.parse(api.body)]).toEqual([404, { detail: "Not found" }]);
  });

  it("caches hashed assets for a year and answers a missing one with 404, not the page", async () => {
    const asset = await get("/assets/index-Ab12.js");
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toMatch(/javascript/);
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(await asset.text()).toBe(SCRIPT);

    // Source maps are built for debugging by hand, never served.
    const map = await get("/assets/index-Ab12.js.map");
    expect(map.status).toBe(404);
    expect(await map.text()).not.toContain("sources");

    const missing = await get("/assets/index-Zz99.js");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ detail: "Not found" });
    expect(missing.headers.get("cache-control")).toBe("no-store");
  });

  it("never serves dotfiles or files outside its directory", async () => {
    for (const path of [
      "/.env",
      "/assets/..%2f.env",
      "/..%2f..%2fetc%2fpasswd",
      "/%2e%2e/%2e%2e/etc/passwd",
    ]) {
      const res = await get(path);
      const body = await res.text();
      expect(body, path).not.toContain("SECRET");
      expect(body, path).not.toContain("root:");
    }
  });

  it("leaves the API as it was: unknown API paths are JSON 404s, private routes still need a session", async () => {
    const unknown = await get("/api/nope");
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ detail: "Not found" });
    expect(unknown.headers.get("cache-control")).toBe("no-store");

    const me = await get("/api/auth/me");
    expect(me.status).toBe(401);

    const post = await get("/", { method: "POST" });
    expect(post.status).toBe(404);
    expect(await post.json()).toEqual({ detail: "Not found" });

    // Routing errors of API paths are unchanged by the console's fallback page.
    const badEncoding = await get("/api/apps/%zz");
    expect([badEncoding.status, await badEncoding.json()]).toEqual([400, { detail: "Invalid request" }]);
    const long = await get(`/api/apps/${"a".repeat(150)}`);
    expect([long.status, await long.json()]).toEqual([414, { detail: "Request path too long" }]);
  });

  it("keeps the console's page and unknown paths within the request budget; its files are outside it", async () => {
    const limited = await startHarness({ env: { WEB_CONSOLE_DIR: dir, RATE_LIMIT_PER_MINUTE: "5" } });
    try {
      // 12 requests against a budget of 5 a minute: even if a window turns over during the test
      // (at most once), at most 10 of them can pass, so each path shows its 429s.
      const statuses = async (path: string) => {
        const seen: number[] = [];
        for (let i = 0; i < 12; i++) seen.push((await fetch(new URL(path, limited.url))).status);
        return seen;
      };
      expect(await statuses("/assets/index-Ab12.js")).toEqual(Array(12).fill(200));
      expect(await statuses("/apps")).toContain(429);
      const unknown = await statuses("/api/nope");
      expect(unknown).toContain(429);
      expect(unknown.filter((status) => status !== 429 && status !== 404)).toEqual([]);
    } finally {
      await limited.stop();
    }
  });
});

describe("an incomplete console build", () => {
  it("fails the start, saying what is missing and what to do", async () => {
    const partial = await mkdtemp(join(tmpdir(), "console-partial-"));
    try {
      await expect(loadWebConsole({ dir: partial, secureTransport: false })).rejects.toThrow(
        /incomplete: it has no index\.html; build it \(pnpm --filter @proximity\/web-console build\)/,
      );
      await writeFile(join(partial, "index.html"), INDEX);
      await expect(loadWebConsole({ dir: partial, secureTransport: false })).rejects.toThrow(
        "index.html loads assets/index-Ab12.js, which is missing",
      );
      await mkdir(join(partial, "assets"));
      await writeFile(join(partial, "assets", "index-Ab12.js"), SCRIPT);
      const site = await loadWebConsole({ dir: partial, secureTransport: false });
      expect(site?.indexHtml.toString()).toBe(INDEX);
    } finally {
      await rm(partial, { recursive: true, force: true });
    }
  });
});

describe("without a built console", () => {
  it("answers / with the API's JSON 404", async () => {
    const bare = await startHarness({ env: { WEB_CONSOLE_DIR: join(dir, "missing") } });
    try {
      const res = await fetch(new URL("/", bare.url));
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ detail: "Not found" });
      expect(bare.logLines.some((line) => line.includes("web console not built"))).toBe(true);
    } finally {
      await bare.stop();
    }
  });
});
