import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The console is served by the gateway at / (same origin as /api). `vite` in development proxies
// /api to a running gateway (./scripts/dev.sh serves the built console itself).
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // Hashed file names under assets/: the gateway caches them for a year, index.html never.
    assetsDir: "assets",
    // Maps for debugging a build by hand; not referenced by the bundles nor served by the gateway.
    sourcemap: "hidden",
    // No inline <script> or data: module preloads: the gateway's CSP allows scripts from 'self' only.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  server: {
    proxy: { "/api": { target: process.env.GATEWAY_URL ?? "http://127.0.0.1:8080", changeOrigin: false } },
  },
});
