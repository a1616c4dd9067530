/**
 * `examples/ingest-files.ts` run as a user runs it (`pnpm ingest [FILE…]`): a Node process with
 * tsx, no AEP_* variables (so it starts its own emulator), its output checked line by line.
 */
import { execFile } from "node:child_process"
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const root = fileURLToPath(new URL("..", import.meta.url))
const example = join(root, "examples", "ingest-files.ts")

interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

const run = (args: ReadonlyArray<string>): Promise<Run> => {
  // Without credentials the example talks to an in-process emulator: none may leak in from the
  // environment the tests run in.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("AEP_")))
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--import", "tsx", example, ...args],
      { cwd: root, env, timeout: 45_000 },
      (error, stdout, stderr) => {
        if (error !== null && typeof error.code !== "number") return reject(error)
        resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr })
      }
    )
  })
}

let dir = ""
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "effect-aep-example-"))
  await writeFile(join(dir, "broken.json"), "{\"id\":1}\nthis is not json\n")
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe("examples/ingest-files.ts", () => {
  it.concurrent("ingests the sample file into the emulator and prints the final batch with its metrics", async () => {
    const sample = await readFile(join(root, "examples", "data", "people.json"))
    const rows = sample.toString("utf8").split("\n").filter((line) => line.trim() !== "").length
    const { code, stderr, stdout } = await run([])
    expect(stderr).toBe("")
    expect(code).toBe(0)
    const lines = stdout.split("\n")
    const id = lines[0]?.match(/^created batch ([0-9a-f]{32}) for 1 file\(s\), (\d+) bytes$/)
    expect(id, stdout).not.toBeNull()
    expect(Number(id![2])).toBe(sample.length)
    // The progress lines, in order, then the summary.
    const expected = [
      `created batch ${id![1]} for 1 file(s), ${sample.length} bytes`,
      `  uploading people.json (${sample.length} bytes)`,
      `  people.json: ${sample.length}/${sample.length} bytes`,
      "  uploaded people.json (1/1)",
      "completed: AEP is processing the batch",
      "  status: staging"
    ]
    expect(lines.slice(0, expected.length)).toEqual(expected)
    expect(lines).toContain("  status: success")
    expect(lines).toContain("finished: success")
    expect(lines).toContain(`Batch ${id![1]}: success`)
    expect(lines).toContain(`  records:   ${rows} ingested, 0 failed`)
    expect(lines).toContain(`  metrics:   1 file(s), ${sample.length} bytes, ${rows} rows read`)
    const started = lines.find((line) => line.startsWith("  started:"))
    const completed = lines.find((line) => line.startsWith("  completed:"))
    expect(started).toMatch(/^  started: {3}\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    expect(completed).toMatch(/^  completed: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    expect(Date.parse(completed!.slice(13))).toBeGreaterThanOrEqual(Date.parse(started!.slice(13)))
  })

  it.concurrent("a file given as argument that AEP fails: exit code 1, the failure and its errors on stderr, no summary", async () => {
    const { code, stderr, stdout } = await run([join(dir, "broken.json")])
    expect(code).toBe(1)
    expect(stdout).toMatch(/^created batch [0-9a-f]{32} for 1 file\(s\), 26 bytes$/m)
    expect(stdout).toContain("  status: failed")
    expect(stdout).not.toContain("finished:")
    expect(stdout).not.toMatch(/^Batch /m)
    expect(stderr).toMatch(/^batch [0-9a-f]{32} ended failed \(1 of 2 rows failed\): INGEST-1212-400 .*INGEST-1401-400/m)
  })

  it.concurrent("a missing file: exit code 1 and the path on stderr, before any batch is created", async () => {
    const missing = join(dir, "missing.json")
    const { code, stderr, stdout } = await run([missing])
    expect(code).toBe(1)
    expect(stdout).toBe("")
    expect(stderr).toContain("NotFound")
    expect(stderr).toContain(missing)
  })
})
