#!/usr/bin/env node
// Inside the effect-aep repository the sibling packages export their TypeScript sources, which
// Node cannot run: a resolution hook sends those imports to the packages' built dist instead.
// Published, they export dist and no hook is registered.
import { register } from "node:module"

if (import.meta.resolve("@effect-aep/core").endsWith(".ts")) {
  register("./workspace-dist.js", import.meta.url)
}
await import("../dist/bin.js")
