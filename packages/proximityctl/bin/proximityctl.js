#!/usr/bin/env -S node --conditions=compiled --enable-source-maps
// The installed command runs the compiled CLI (`pnpm build` first); the `compiled` condition makes
// the workspace packages load their dist/ too. In the repository, `pnpm proximityctl …` runs the
// TypeScript sources through tsx instead.
import "../dist/main.js";
