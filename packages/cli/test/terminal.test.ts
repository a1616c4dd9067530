import { Demo } from "@effect-aep/emulator"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { createRequire } from "node:module"
import { replay } from "./screen.js"
import { bin, demoEnv, people, type Running, startEmulator, workdir } from "./support.js"

// A real pseudo-terminal, from Node: node-pty with prebuilt binaries (nothing is compiled). On a
// platform it has no binary for, the test is skipped rather than failed.
type Pty = typeof import("@lydell/node-pty")
const pty: Pty | undefined = (() => {
  try {
    return createRequire(import.meta.url)("@lydell/node-pty") as Pty
  } catch {
    return undefined
  }
})()

const columns = 110

const inTerminal = (args: ReadonlyArray<string>, env: Record<string, string>, cwd: string) =>
  new Promise<{ code: number; raw: string }>((resolve, reject) => {
    const child = pty!.spawn(process.execPath, [bin, ...args], { cols: columns, rows: 40, cwd, env })
    let raw = ""
    const timer = setTimeout(() => {
      child.kill()
      reject(new Error(`no exit within 30 s:\n${raw}`))
    }, 30_000)
    child.onData((data) => (raw += data))
    child.onExit(({ exitCode }) => {
      clearTimeout(timer)
      resolve({ code: exitCode, raw })
    })
  })

describe.skipIf(pty === undefined)("aep ingest on a terminal", () => {
  let running: Running
  let dir: string

  beforeAll(async () => {
    running = await startEmulator()
    const line = `${JSON.stringify({ name: "y".repeat(500) })}\n`
    dir = workdir({ "people.json": people, "big.json": line.repeat(Math.ceil((4 * 1024 * 1024) / line.length)) })
  })
  afterAll(() => running.stop())

  it("draws a bar per file and one overall, redrawn in place, ending at 100%", async () => {
    const { code, raw } = await inTerminal(
      ["ingest", "--dataset", Demo.datasetId, "big.json", "people.json", "--concurrency", "1"],
      demoEnv(running.url),
      dir
    )
    assert.strictEqual(code, 0, raw)
    // The bars are redrawn in place (cursor up over the 3 lines), with the cursor hidden meanwhile.
    assert.include(raw, "\u001b[?25l")
    assert.include(raw, "\u001b[3A")
    assert.include(raw, "\u001b[?25h")
    assert.isBelow(raw.indexOf("\u001b[?25l"), raw.lastIndexOf("\u001b[?25h"))

    // Frames before the last one show the big file part-way.
    const seen = [...raw.matchAll(/big\.json\s+[█░]+\s+(\d+)%/g)].map((match) => Number(match[1]))
    assert.isAtLeast(seen.length, 2, raw)
    assert.isTrue(seen.some((percent) => percent < 100), `only ${seen.join(", ")}`)
    assert.strictEqual(seen.at(-1), 100)

    const screen = replay(raw, columns)
    const row = (name: string) => screen.find((line) => line.startsWith(`${name} `))
    for (const name of ["big.json", "people.json", "total"]) {
      const line = row(name)
      assert.isDefined(line, screen.join("\n"))
      assert.match(line!, /█+ 100%/)
      assert.notInclude(line!, "░")
      assert.include(line!, "ETA done")
    }
    assert.match(row("total")!, /4\.0 MiB\/4\.0 MiB\s+\S+ (B|KiB|MiB|GiB)\/s\s+ETA done\s+\(2\/2 files\)$/)
    // Each bar is drawn once on the final screen: redraws replaced the earlier frames.
    assert.strictEqual(screen.filter((line) => line.startsWith("total ")).length, 1)
    // Then the verdict, below the bars, with the status in colour.
    const verdict = screen.findIndex((line) => /^Batch [0-9a-f]{32} succeeded\.$/.test(line))
    assert.isAbove(verdict, screen.indexOf(row("total")!))
    assert.include(screen, "status: success")
    assert.include(raw, "\u001b[32msuccess\u001b[0m")
  })
})
