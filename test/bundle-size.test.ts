/**
 * The edge size budget (a size check, not a timing): the edge Worker example, bundled and
 * minified as for deployment and gzipped, may weigh at most 15 KiB more than the same Worker
 * written by hand on effect, Schema and FetchHttpClient alone (`bench/edge/baseline-worker.ts`,
 * the floor those libraries impose). `pnpm bench` reports the same figures in BENCHMARKS.md.
 */
import { assert, describe, it } from "@effect/vitest"
import { build } from "esbuild"
import { readFileSync } from "node:fs"
import { basename, dirname } from "node:path"
import { fileURLToPath } from "node:url"
import { gzipSync } from "node:zlib"

const budget = 15 * 1024

const example = fileURLToPath(new URL("../examples/edge-worker.ts", import.meta.url))
const floor = fileURLToPath(new URL("../bench/edge/baseline-worker.ts", import.meta.url))

// `import { A } from "effect"` made `import * as A from "effect/A"`: esbuild keeps a barrel's
// whole namespace, so the budget is also checked with that cost taken out of both.
const deepEffectImports = (source: string): string =>
  source.replace(/^import \{([^}]+)\} from "effect"$/gm, (_, names: string) =>
    names.split(",").map((name) => name.trim()).filter((name) => name !== "").map((name) =>
      name.startsWith("type ")
        ? `import type * as ${name.slice(5)} from "effect/${name.slice(5)}"`
        : `import * as ${name} from "effect/${name}"`
    ).join("\n"))

/** Gzipped bytes of the minified bundle, built as a Workers deployment builds it. */
const gzipped = async (path: string, rewrite: (source: string) => string = (source) => source): Promise<number> => {
  const result = await build({
    stdin: { contents: rewrite(readFileSync(path, "utf8")), resolveDir: dirname(path), sourcefile: basename(path), loader: "ts" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["browser", "module", "main"],
    write: false,
    logLevel: "silent"
  })
  return gzipSync(result.outputFiles[0]!.contents).length
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`

describe("edge bundle size budget", () => {
  it("the edge Worker example weighs at most 15 KiB gzipped over the floor", async () => {
    const [ours, base] = await Promise.all([gzipped(example), gzipped(floor)])
    assert.isAtMost(ours - base, budget, `edge-worker.ts ${kib(ours)} vs floor ${kib(base)}: +${kib(ours - base)}`)
  })

  it("and so with every effect import made deep", async () => {
    const [ours, base] = await Promise.all([gzipped(example, deepEffectImports), gzipped(floor, deepEffectImports)])
    assert.isAtMost(ours - base, budget, `edge-worker.ts ${kib(ours)} vs floor ${kib(base)}: +${kib(ours - base)}`)
  })
})
