import { Demo } from "@effect-aep/emulator"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import { aep, bin, broken, demoEnv, people, type Running, startEmulator, workdir } from "./support.js"

// Three MiB of JSON lines: enough for several progress events (files are read a MiB at a time).
const bigJson = (() => {
  const line = `${JSON.stringify({ name: "x".repeat(1000) })}\n`
  return line.repeat(Math.ceil((3 * 1024 * 1024) / line.length))
})()

describe("aep ingest", () => {
  let running: Running
  let env: Record<string, string>
  let dir: string
  const run = (...args: Array<string>) => aep(args, { env, cwd: dir })

  beforeAll(async () => {
    running = await startEmulator()
    env = demoEnv(running.url, { AEP_DATASET_ID: Demo.datasetId })
    dir = workdir({ "people.json": people, "more.jsonl": people, "slow.json": people, "big.json": bigJson, "broken.json": broken, "data.txt": people, "rows.csv": "name\nAda\n" })
  })
  afterAll(() => running.stop())

  it("not on a terminal: one line per event, a file's progress at each tenth, then the final status with metrics", async () => {
    const result = await run("ingest", "--dataset", Demo.datasetId, "people.json", "big.json", "--concurrency", "1")
    assert.strictEqual(result.code, 0, result.stderr)
    const lines = result.stdout.split("\n")
    const id = result.stdout.match(/^batch ([0-9a-f]{32}) created in dataset 5c8c3c555033b814b69f947f: 2 file\(s\), 3\.0 MiB$/m)?.[1]
    assert.isDefined(id, result.stdout)
    assert.include(lines, "uploading people.json (32 B)")
    assert.include(lines, "uploaded people.json (32 B) [1/2 files]")
    assert.include(lines, `completed batch ${id}: AEP is processing it`)
    assert.include(lines, "status: success")
    // The big file's progress comes as several lines, in order, ending at 100%.
    const progress = lines.filter((line) => line.startsWith("  big.json: ")).map((line) => Number(line.match(/(\d+)%/)![1]))
    assert.isAtLeast(progress.length, 3, result.stdout)
    assert.deepStrictEqual(progress, [...progress].sort((a, b) => a - b))
    assert.strictEqual(progress.at(-1), 100)
    assert.match(result.stdout, /all files 100%/)
    // No terminal: no escape sequences.
    assert.notInclude(result.stdout, "\u001b")
    assert.include(result.stdout, `Batch ${id} succeeded.`)
    assert.match(result.stdout, /^status:\s+success$/m)
    assert.match(result.stdout, /^files:\s+2$/m)
    assert.match(result.stdout, new RegExp(`^records:\\s+${(bigJson.split("\n").length - 1 + 2).toLocaleString("en-US")}$`, "m"))
    assert.match(result.stdout, /^failed rows:\s+0$/m)
  })

  it("--json: one JSON event per line, the last one the final batch", async () => {
    const result = await run("ingest", "people.json", "more.jsonl", "--json")
    assert.strictEqual(result.code, 0, result.stderr)
    const events = result.stdout.trim().split("\n").map((line) => JSON.parse(line))
    const names = events.map((event) => event.event)
    assert.strictEqual(names[0], "BatchCreated")
    assert.includeMembers(names, ["FileStarted", "FileProgress", "FileUploaded", "BatchCompleted", "StatusChanged", "Finished"])
    assert.strictEqual(names.at(-1), "Finished")
    const final = events.at(-1).batch
    assert.strictEqual(final.status, "success")
    assert.strictEqual(final.recordCount, 4)
    assert.strictEqual(final.id, events[0].batchId)
  })

  it("a batch AEP fails: the final status and its errors, exit 3", async () => {
    const result = await run("ingest", "broken.json", "--diagnostics")
    assert.strictEqual(result.code, 3, result.stderr)
    const id = result.stdout.match(/^batch ([0-9a-f]{32}) created/m)![1]!
    assert.include(result.stdout, "status: failed")
    assert.include(result.stdout, `Batch ${id} ended failed.`)
    assert.match(result.stdout, /^failed rows:\s+1$/m)
    assert.match(result.stdout, /INGEST-1401-400/)
    assert.include(result.stderr, `See why: aep batch errors ${id}`)

    const asJson = await run("ingest", "broken.json", "--json")
    assert.strictEqual(asJson.code, 3)
    const error = JSON.parse(asJson.stderr).error
    assert.strictEqual(error._tag, "BatchFailed")
    assert.strictEqual(error.status, "failed")
    // The last line is the final batch, failed or not.
    const last = JSON.parse(asJson.stdout.trim().split("\n").at(-1)!)
    assert.strictEqual(last.event, "Finished")
    assert.strictEqual(last.batch.status, "failed")
    assert.strictEqual(last.batch.id, error.batchId)
  })

  it("--no-wait returns once COMPLETE was accepted", async () => {
    const result = await run("ingest", "people.json", "--no-wait")
    assert.strictEqual(result.code, 0, result.stderr)
    const id = result.stdout.match(/^batch ([0-9a-f]{32}) created/m)![1]!
    assert.match(result.stdout, new RegExp(`Batch ${id} is (staging|processing)\\. Follow it: aep batch wait ${id}`))
    assert.notInclude(result.stdout, "status: success")
  })

  it("an upload AEP refuses aborts the batch (exit 1); bad input sends nothing (exit 2)", async () => {
    await fetch(`${running.url}/__emulator/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ rules: [{ method: "PUT", path: "/files/people\\.json$", fault: { type: "status", status: 400 } }] })
    })
    const refused = await run("ingest", "people.json")
    assert.strictEqual(refused.code, 1, refused.stderr)
    const id = refused.stdout.match(/^batch ([0-9a-f]{32}) created/m)![1]!
    assert.include(refused.stdout, `aborted batch ${id}: nothing was ingested`)
    assert.include(refused.stderr, "AEP answered 400")
    assert.strictEqual(JSON.parse((await run("batch", "get", id, "--json")).stdout).status, "aborted")

    const before = running.emulator.state.batches.size
    const [unknownFormat, mixed, missing, twice, noDataset, multilineCsv] = await Promise.all([
      run("ingest", "data.txt"),
      run("ingest", "people.json", "rows.csv"),
      run("ingest", "people.json", "nosuch.json"),
      run("ingest", "people.json", `${dir}/people.json`),
      aep(["ingest", "people.json"], { env: demoEnv(running.url), cwd: dir }),
      run("ingest", "rows.csv", "--multiline")
    ])
    assert.strictEqual(unknownFormat.code, 2)
    assert.include(unknownFormat.stderr, "give --format")
    assert.strictEqual(mixed.code, 2)
    assert.include(mixed.stderr, "several formats")
    assert.strictEqual(missing.code, 2)
    assert.include(missing.stderr, "no such file: nosuch.json")
    assert.strictEqual(twice.code, 2)
    assert.include(twice.stderr, "would both be people.json")
    assert.strictEqual(noDataset.code, 2)
    assert.include(noDataset.stderr, "--dataset is required")
    assert.strictEqual(multilineCsv.code, 2)
    assert.strictEqual(running.emulator.state.batches.size, before)
  })

  it("Ctrl-C during the upload aborts the batch and exits 130", async () => {
    await fetch(`${running.url}/__emulator/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ rules: [{ method: "PUT", path: "/files/slow\\.json$", fault: { type: "latency", millis: 30_000 } }] })
    })
    const child = spawn(process.execPath, [bin, "ingest", "slow.json"], { env, cwd: dir, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    await new Promise<void>((resolve) =>
      child.stdout.on("data", (chunk) => {
        stdout += chunk
        if (stdout.includes("uploading slow.json")) resolve()
      })
    )
    child.kill("SIGINT")
    assert.strictEqual(await exited, 130)
    const id = stdout.match(/^batch ([0-9a-f]{32}) created/m)![1]!
    assert.include(stdout, `aborted batch ${id}: nothing was ingested`)
    assert.strictEqual(JSON.parse((await run("batch", "get", id, "--json")).stdout).status, "aborted")
  })
})
