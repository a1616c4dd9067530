import { Demo } from "@effect-aep/emulator"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { aep, broken, closedUrl, demoEnv, json, people, type Running, startEmulator, workdir } from "./support.js"

// Every command here is the real bin in a subprocess, against an emulator on loopback.
describe("aep batch", () => {
  let running: Running
  let env: Record<string, string>
  let dir: string
  const run = (...args: Array<string>) => aep(args, { env, cwd: dir })

  beforeAll(async () => {
    running = await startEmulator()
    env = demoEnv(running.url)
    dir = workdir({ "people.json": people, "broken.json": broken })
  })
  afterAll(() => running.stop())

  it("create: a table by default, AEP's JSON with --json, the id alone with --quiet", async () => {
    const [table, asJson, quiet, fromEnv] = await Promise.all([
      run("batch", "create", "--dataset", Demo.datasetId, "--format", "json"),
      run(
        "batch",
        "create",
        "-d",
        Demo.datasetId,
        "--format",
        "csv",
        "--diagnostics",
        "--partial",
        "5",
        "--tag",
        "source=crm",
        "--tag",
        "source=erp",
        "--external-id",
        "nightly-1",
        "--json"
      ),
      run("batch", "create", "--dataset", Demo.datasetId, "--format", "json", "--quiet"),
      aep(["batch", "create", "--format", "json", "-q"], { env: { ...env, AEP_DATASET_ID: Demo.datasetId }, cwd: dir })
    ])
    assert.strictEqual(table.code, 0, table.stderr)
    assert.match(table.stdout, /^batch:\s+[0-9a-f]{32}$/m)
    assert.match(table.stdout, /^status:\s+loading$/m)
    assert.match(table.stdout, new RegExp(`^dataset:\\s+${Demo.datasetId}$`, "m"))
    assert.match(table.stdout, /^format:\s+json$/m)
    assert.include(table.stderr, "Next: aep batch upload")

    assert.strictEqual(asJson.code, 0, asJson.stderr)
    const batch = json(asJson)
    assert.strictEqual(batch.status, "loading")
    assert.strictEqual(batch.relatedObjects[0].id, Demo.datasetId)
    assert.deepStrictEqual(batch.inputFormat, { format: "csv" })
    assert.deepStrictEqual(batch.tags.source, ["crm", "erp"])
    assert.strictEqual(batch.tags.acp_enableErrorDiagnostics, true)
    assert.strictEqual(batch.tags.acp_partialIngestionPercent, 5)
    assert.strictEqual(batch.externalId, "nightly-1")
    assert.strictEqual(asJson.stderr, "")

    assert.strictEqual(quiet.code, 0, quiet.stderr)
    assert.match(quiet.stdout, /^[0-9a-f]{32}\n$/)
    assert.strictEqual(fromEnv.code, 0, fromEnv.stderr)
    assert.match(fromEnv.stdout, /^[0-9a-f]{32}\n$/)
  })

  it("upload, complete, wait and get walk a batch to success (tables and JSON)", async () => {
    const id = (await run("batch", "create", "-d", Demo.datasetId, "--format", "json", "-q")).stdout.trim()

    const upload = await run("batch", "upload", id, "people.json")
    assert.strictEqual(upload.code, 0, upload.stderr)
    assert.include(upload.stdout, "uploading people.json (32 B)")
    assert.include(upload.stdout, "people.json: 100% (32 B of 32 B)")
    assert.match(upload.stdout, /^FILE\s+SIZE\s+UPLOAD\npeople\.json\s+32 B\s+one PUT$/m)

    // Uploading again with --json (the file is replaced): one JSON document.
    const again = await run("batch", "upload", id, "people.json", "--dataset", Demo.datasetId, "--json")
    assert.strictEqual(again.code, 0, again.stderr)
    assert.deepStrictEqual(json(again), {
      batchId: id,
      datasetId: Demo.datasetId,
      files: [{ path: "people.json", size: 32, method: "put", chunks: 1 }]
    })

    const complete = await run("batch", "complete", id)
    assert.strictEqual(complete.code, 0, complete.stderr)
    assert.match(complete.stdout, new RegExp(`^COMPLETE accepted: batch ${id} is now (staging|processing|success)$`, "m"))

    const wait = await run("batch", "wait", id, "--timeout", "30s")
    assert.strictEqual(wait.code, 0, wait.stderr)
    assert.match(wait.stdout, /^status:\s+success$/m)
    assert.match(wait.stdout, /^records:\s+2$/m)
    assert.match(wait.stdout, /^failed rows:\s+0$/m)
    assert.match(wait.stdout, /^files:\s+1$/m)
    assert.match(wait.stderr, /status: success/)

    const [get, getJson, waitJson] = await Promise.all([
      run("batch", "get", id),
      run("batch", "get", id, "--json"),
      run("batch", "wait", id, "--json")
    ])
    assert.strictEqual(get.code, 0, get.stderr)
    assert.match(get.stdout, new RegExp(`^batch:\\s+${id}$`, "m"))
    assert.match(get.stdout, /^completed:\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/m)
    assert.match(get.stdout, /^bytes:\s+32 B$/m)
    const batch = json(getJson)
    assert.strictEqual(batch.id, id)
    assert.strictEqual(batch.status, "success")
    assert.strictEqual(batch.recordCount, 2)
    assert.strictEqual(typeof batch.completed, "number")
    assert.strictEqual(json(waitJson).status, "success")
    assert.strictEqual(waitJson.stderr, "")
  })

  it("abort and revert change the status they say they do", async () => {
    const loading = (await run("batch", "create", "-d", Demo.datasetId, "--format", "json", "-q")).stdout.trim()
    const abort = await run("batch", "abort", loading)
    assert.strictEqual(abort.code, 0, abort.stderr)
    assert.strictEqual(abort.stdout, `ABORT accepted: batch ${loading} is now aborted\n`)

    const done = (await run("batch", "create", "-d", Demo.datasetId, "--format", "json", "-q")).stdout.trim()
    await run("batch", "upload", done, "people.json")
    await run("batch", "complete", done)
    assert.strictEqual((await run("batch", "wait", done)).code, 0)
    const revert = await run("batch", "revert", done, "--json")
    assert.strictEqual(revert.code, 0, revert.stderr)
    assert.include(["inactive", "deleted"], json(revert).status)
  })

  it("list: newest first, filtered by dataset, status and age; a table or JSON", async () => {
    const other = "6a1f3c555033b814b69f9480"
    running.emulator.state.addDataset("prod", other, Date.now())
    const mine = (await aep(["batch", "create", "-d", other, "--format", "json", "-q"], { env, cwd: dir })).stdout.trim()
    const second = (await aep(["batch", "create", "-d", other, "--format", "json", "-q"], { env, cwd: dir })).stdout.trim()
    await run("batch", "abort", second)

    const [table, filtered, aborted, limited, none, badSince] = await Promise.all([
      run("batch", "list", "--dataset", other),
      run("batch", "list", "--dataset", other, "--json"),
      run("batch", "list", "--dataset", other, "--status", "aborted,failed", "--since", "1h", "--json"),
      run("batch", "list", "--limit", "1", "--json"),
      run("batch", "list", "--dataset", other, "--since", "2000-01-01", "--status", "success"),
      run("batch", "list", "--since", "yesterday-ish")
    ])
    assert.strictEqual(table.code, 0, table.stderr)
    const lines = table.stdout.trim().split("\n")
    assert.match(lines[0]!, /^BATCH\s+STATUS\s+DATASET\s+CREATED\s+RECORDS\s+FAILED\s+EXTERNAL ID$/)
    assert.strictEqual(lines.length, 3)
    assert.match(lines[1]!, new RegExp(`^${second}\\s+aborted\\s+${other}\\s`))
    assert.match(lines[2]!, new RegExp(`^${mine}\\s+loading\\s+${other}\\s`))

    assert.deepStrictEqual(json(filtered).map((batch: any) => batch.id), [second, mine])
    assert.deepStrictEqual(json(aborted).map((batch: any) => batch.id), [second])
    assert.strictEqual(json(limited).length, 1)
    assert.strictEqual(none.code, 0)
    assert.strictEqual(none.stdout, "No batches.\n")
    assert.strictEqual(badSince.code, 2)
    assert.include(badSince.stderr, "--since must be a duration")
  })

  it("a failed batch: wait exits 3 and shows it; errors lists the row errors (table and JSON)", async () => {
    const id = (await run("batch", "create", "-d", Demo.datasetId, "--format", "json", "--diagnostics", "-q")).stdout.trim()
    await run("batch", "upload", id, "broken.json", "people.json")
    await run("batch", "complete", id)

    const wait = await run("batch", "wait", id)
    assert.strictEqual(wait.code, 3, wait.stderr)
    assert.match(wait.stdout, /^status:\s+failed$/m)
    assert.match(wait.stdout, /^failed rows:\s+1$/m)
    assert.match(wait.stdout, /INGEST-1401-400/)
    assert.include(wait.stderr, `batch ${id} ended failed`)
    assert.include(wait.stderr, `See why: aep batch errors ${id}`)

    const waitJson = await run("batch", "wait", id, "--json")
    assert.strictEqual(waitJson.code, 3)
    assert.strictEqual(json(waitJson).status, "failed")
    const error = JSON.parse(waitJson.stderr).error
    assert.strictEqual(error._tag, "BatchFailed")
    assert.strictEqual(error.exitCode, 3)

    const [errors, errorsJson, get] = await Promise.all([
      run("batch", "errors", id),
      run("batch", "errors", id, "--json"),
      run("batch", "get", id)
    ])
    assert.strictEqual(errors.code, 0, errors.stderr)
    assert.match(errors.stdout, /^Batch errors:\nCODE\s+ROWS\s+DESCRIPTION$/m)
    assert.match(errors.stdout, /^INGEST-1401-400\s+1\s+/m)
    assert.match(errors.stdout, /^Failed files:\nFILE\s+SIZE$/m)
    assert.match(errors.stdout, /^broken\.json\s+32 B$/m)
    assert.match(errors.stdout, /^Row errors \(1\):\nFILE\s+CODE\s+MESSAGE\s+RECORD$/m)
    assert.match(errors.stdout, /^broken\.json\s+1401\s+.+\s+this is not json$/m)
    const found = json(errorsJson)
    assert.strictEqual(found.status, "failed")
    assert.deepStrictEqual(found.rowErrors.map((row: any) => [row.file, row.record, row.errors[0].code]), [
      ["broken.json", "this is not json", "1401"]
    ])
    assert.include(found.failedFiles.map((file: any) => file.name), "broken.json")
    // Asking about a failed batch is no failure of the command.
    assert.strictEqual(get.code, 0)
    assert.match(get.stdout, /^status:\s+failed$/m)
  })

  it("exit codes: AEP errors 1, usage 2, network 4, timeout 5", async () => {
    const unknown = "0123456789abcdef0123456789abcdef"
    const unreachable = await closedUrl()
    const loading = (await run("batch", "create", "-d", Demo.datasetId, "--format", "json", "-q")).stdout.trim()
    const [notFound, notFoundJson, malformed, missing, unknownOption, unknownCommand, badFormat, network, networkJson, timeout, noConfig, noFile] =
      await Promise.all([
        run("batch", "get", unknown),
        run("batch", "get", unknown, "--json"),
        run("batch", "get", "not/an/id"),
        run("batch", "get"),
        run("batch", "list", "--bogus"),
        run("batch", "gte", unknown),
        run("batch", "create", "-d", Demo.datasetId, "--format", "xml"),
        aep(["batch", "get", unknown], { env: { ...env, AEP_PLATFORM_URL: unreachable }, cwd: dir }),
        aep(["batch", "list", "--json"], { env: { ...env, AEP_PLATFORM_URL: unreachable }, cwd: dir }),
        run("batch", "wait", loading, "--timeout", "1s"),
        aep(["batch", "get", unknown], {
          env: Object.fromEntries(Object.entries(env).filter(([name]) => name !== "AEP_ORG_ID" && name !== "AEP_ACCESS_TOKEN")),
          cwd: dir
        }),
        run("batch", "upload", loading, "nosuch.json")
      ])

    assert.strictEqual(notFound.code, 1)
    assert.match(notFound.stderr, /^aep batch get: Batches\.get: AEP answered 404 .* was not found/)
    assert.strictEqual(notFound.stdout, "")
    const error = JSON.parse(notFoundJson.stderr).error
    assert.deepInclude(error, { _tag: "AepHttpError", status: 404, exitCode: 1, operation: "Batches.get" })
    assert.isString(error.requestId)

    assert.strictEqual(malformed.code, 2)
    assert.include(malformed.stderr, "invalid input, nothing was sent")
    assert.strictEqual(missing.code, 2)
    assert.include(missing.stderr, "Missing argument <BATCH_ID>")
    assert.include(missing.stderr, "Run 'aep batch get --help' for usage.")
    assert.strictEqual(unknownOption.code, 2)
    assert.include(unknownOption.stderr, "--bogus")
    assert.strictEqual(unknownCommand.code, 2)
    assert.include(unknownCommand.stderr, "unknown command 'gte'. Did you mean 'get'?")
    assert.strictEqual(badFormat.code, 2)

    assert.strictEqual(network.code, 4)
    assert.include(network.stderr, "failed before AEP answered")
    assert.strictEqual(networkJson.code, 4)
    assert.strictEqual(JSON.parse(networkJson.stderr).error._tag, "AepTransportError")

    assert.strictEqual(timeout.code, 5)
    assert.include(timeout.stderr, "did not reach a final status")

    assert.strictEqual(noConfig.code, 2)
    assert.include(noConfig.stderr, "AEP_ORG_ID is not set")
    assert.include(noConfig.stderr, "AEP_ACCESS_TOKEN is not set")

    assert.strictEqual(noFile.code, 2)
    assert.include(noFile.stderr, "no such file: nosuch.json")
  })
})
