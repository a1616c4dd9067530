/**
 * The packages as a user installs them. In the workspace `@effect-aep/*` export their TypeScript
 * sources, which plain `node` cannot load; a resolution hook would sit in every import (and in
 * the cold-start figures). Instead `build/bench/node_modules` gets a copy of each package's built
 * `dist` with its publish-time `exports`, next to links to the very same `effect`,
 * `@effect/platform` and `@effect/platform-node` the workspace uses. The compiled benchmark
 * scripts in `build/bench` resolve those first.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { benchRoot } from "./child.js"

export const repoRoot = join(benchRoot, "..", "..")

const ours = ["core", "node", "edge", "emulator"] as const
const theirs = ["effect", "@effect/platform", "@effect/platform-node"] as const

export const prepare = (): void => {
  const modules = join(benchRoot, "node_modules")
  rmSync(modules, { recursive: true, force: true })
  for (const name of ours) {
    const source = join(repoRoot, "packages", name)
    if (!existsSync(join(source, "dist", "index.js"))) {
      throw new Error(`packages/${name} is not built: run 'tsc -b' first`)
    }
    const target = join(modules, "@effect-aep", name)
    mkdirSync(target, { recursive: true })
    const manifest = JSON.parse(readFileSync(join(source, "package.json"), "utf8")) as Record<string, unknown> & {
      publishConfig?: Record<string, unknown>
    }
    const { publishConfig, ...rest } = manifest
    writeFileSync(join(target, "package.json"), JSON.stringify({ ...rest, ...publishConfig }, null, 2))
    cpSync(join(source, "dist"), join(target, "dist"), { recursive: true })
  }
  for (const name of theirs) {
    const target = join(modules, name)
    mkdirSync(dirname(target), { recursive: true })
    symlinkSync(realpathSync(join(repoRoot, "node_modules", name)), target, "dir")
  }
}
