import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    reporters: ["default", "./scripts/summary-reporter.ts"],
    projects: [
      { test: { name: "core", root: "packages/core", include: ["test/**/*.test.ts"], setupFiles: ["../../scripts/fast-check-seed.ts"] } },
      { test: { name: "node", root: "packages/node", include: ["test/**/*.test.ts"] } },
      { test: { name: "edge", root: "packages/edge", include: ["test/**/*.test.ts"] } },
      { test: { name: "emulator", root: "packages/emulator", include: ["test/**/*.test.ts"] } },
      { test: { name: "cli", root: "packages/cli", include: ["test/**/*.test.ts"], testTimeout: 60_000, hookTimeout: 60_000 } },
      { test: { name: "integration", root: "test", include: ["**/*.test.ts"], testTimeout: 60_000, hookTimeout: 60_000 } }
    ]
  }
})
