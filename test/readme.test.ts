/**
 * The README's code must be code that runs: its "Testing your code" block is the test file it
 * names, verbatim, and its first lines are the commands CI runs.
 */
import { assert, describe, it } from "@effect/vitest"
import { readFileSync } from "node:fs"

const read = (path: string) => readFileSync(new URL(path, import.meta.url), "utf8")
const readme = read("../README.md")

describe("README", () => {
  it("shows test/swap-runtime.test.ts verbatim", () => {
    const block = readme.match(/<!-- swap-runtime:start -->\n```ts\n([\s\S]*?)```\n<!-- swap-runtime:end -->/)?.[1]
    assert.isDefined(block)
    assert.strictEqual(block, read("./swap-runtime.test.ts"))
  })

  it("opens with the two commands, and they are the scripts that exist", () => {
    const firstBlock = readme.match(/```sh\n([\s\S]*?)```/)?.[1] ?? ""
    const commands = firstBlock.split("\n").filter((line) => line.trim() !== "").map((line) => line.split("#")[0]!.trim())
    assert.deepStrictEqual(commands, ["pnpm install && pnpm start", "pnpm install && pnpm test"])
    const scripts = JSON.parse(read("../package.json")).scripts as Record<string, string>
    assert.isDefined(scripts["start"])
    assert.isDefined(scripts["test"])
    assert.include(read("../.ci/run"), "pnpm test")
  })
})
