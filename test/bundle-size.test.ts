/**
 * The edge size budget (a size check, not a timing): the edge Worker example, bundled and
 * minified as for deployment and gzipped, may weigh at most 15 KiB more than the same Worker
 * written by hand on effect, Schema and FetchHttpClient alone (`bench/edge/baseline-worker.ts`,
 * the floor those libraries impose). `pnpm bench` reports the same figures in BENCHMARKS.md.
 */
import { assert, describe, it } from "@effect/vitest"
import { fileURLToPath } from "node:url"
import { measure } from "../bench/lib/bundle.js"

const budget = 15 * 1024
const root = fileURLToPath(new URL("..", import.meta.url))
const example = "examples/edge-worker.ts"
const floor = "bench/edge/baseline-worker.ts"

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`

const overhead = async (deepEffectImports: boolean) => {
  const [ours, base] = await Promise.all([measure(example, root, { deepEffectImports }), measure(floor, root, { deepEffectImports })])
  return { added: ours.gzipped - base.gzipped, text: `edge-worker.ts ${kib(ours.gzipped)} vs floor ${kib(base.gzipped)}` }
}

describe("edge bundle size budget", () => {
  it("the edge Worker example weighs at most 15 KiB gzipped over the floor", async () => {
    const { added, text } = await overhead(false)
    assert.isAtMost(added, budget, `${text}: +${kib(added)}`)
  })

  // esbuild keeps a barrel's whole namespace: the budget also holds with that cost taken out of both.
  it("and so with every effect import made deep", async () => {
    const { added, text } = await overhead(true)
    assert.isAtMost(added, budget, `${text}: +${kib(added)}`)
  })
})
