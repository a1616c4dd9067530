import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import type * as AepClient from "../src/AepClient.js"
import { AepDecodeError, AepHttpError, AepValidationError } from "../src/AepError.js"
import { BatchFailed } from "../src/BatchFailed.js"
import * as Batches from "../src/Batches.js"
import * as Diagnostics from "../src/Diagnostics.js"
import * as Files from "../src/Files.js"
import { datasetId, jsonLines, startEmulator, totalRequests, utf8 } from "./support/lifecycle.js"

const good = utf8(jsonLines(3))
const bad = utf8("{\"id\":1}\nthis is not json\n{\"id\":3}\n{broken\n")

/** Uploads `files`, completes the batch and lets the emulator finish it (1 s of TestClock). */
const processed = (
  files: ReadonlyArray<readonly [string, Uint8Array]>,
  options: Partial<Batches.CreateInput> = {}
) =>
  Effect.gen(function*() {
    const batch = yield* Batches.create({ datasetId, inputFormat: { format: "json" }, enableErrorDiagnostics: true, ...options })
    for (const [name, bytes] of files) yield* Files.upload(batch.id, datasetId, Files.fromBytes(name, bytes))
    yield* Batches.complete(batch.id)
    yield* TestClock.adjust("1 second")
    return batch
  })

describe("Diagnostics", () => {
  it.scoped("a failed batch: its files, and each corrupt row with its code and file", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator({ processingDelayMillis: 1000 })
      const diagnostics = yield* started.provide(Effect.gen(function*() {
        const batch = yield* processed([["ok.json", good], ["dir/bad.json", bad]])
        assert.strictEqual((yield* Batches.get(batch.id)).status, "failed")
        return yield* Diagnostics.get(batch.id)
      }))
      // A failed batch ingests nothing: every file is listed as failed.
      assert.deepStrictEqual(diagnostics.failedFiles.map((f) => [f.name, f.length]).sort(), [
        ["dir/bad.json", bad.length],
        ["ok.json", good.length]
      ])
      assert.isTrue(diagnostics.failedFiles.every((f) => f._links?.self?.href.includes("/failed?path=") === true))
      assert.deepStrictEqual(diagnostics.rowErrors.map((row) => [row.file, row.record, row.errors.map((e) => e.code)]), [
        ["dir/bad.json", "this is not json", ["1401"]],
        ["dir/bad.json", "{broken", ["1401"]]
      ])
      assert.isTrue(diagnostics.rowErrors.every((row) => row.errors[0]!.message.length > 0))
    }))

  it.scoped("downloadFailedFile gives back the bytes that were uploaded", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator({ processingDelayMillis: 1000 })
      const bytes = yield* started.provide(Effect.gen(function*() {
        const batch = yield* processed([["dir/bad.json", bad]])
        const [file] = yield* Diagnostics.failedFiles(batch.id)
        return yield* Diagnostics.downloadFailedFile(batch.id, file!.name)
      }))
      assert.deepStrictEqual(bytes, bad)
    }))

  it.scoped("BatchFailed fetches the same diagnostics on demand", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator({ processingDelayMillis: 1000 })
      const { direct, viaError } = yield* started.provide(Effect.gen(function*() {
        const batch = yield* processed([["bad.json", bad]])
        const error = yield* Effect.flip(Batches.awaitCompletion(batch.id))
        assert.instanceOf(error, BatchFailed)
        const viaError = yield* (error as BatchFailed).diagnostics
        const direct = yield* Diagnostics.get(batch.id)
        return { direct, viaError }
      }))
      assert.deepStrictEqual(viaError, direct)
      assert.strictEqual(viaError.rowErrors.length, 2)
    }))

  it.scoped("partial ingestion: the batch succeeds, and only the file with bad rows is listed", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator({ processingDelayMillis: 1000 })
      const { batch, diagnostics } = yield* started.provide(Effect.gen(function*() {
        const created = yield* processed([["ok.json", utf8(jsonLines(20))], ["bad.json", bad]], { partialIngestionPercentage: 20 })
        return { batch: yield* Batches.get(created.id), diagnostics: yield* Diagnostics.get(created.id) }
      }))
      assert.strictEqual(batch.status, "success")
      assert.strictEqual(batch.failedRecordCount, 2)
      assert.deepStrictEqual(diagnostics.failedFiles.map((f) => f.name), ["bad.json"])
      assert.deepStrictEqual(diagnostics.rowErrors.map((row) => row.record), ["this is not json", "{broken"])
    }))

  it.scoped("a clean batch has no diagnostics", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator({ processingDelayMillis: 1000 })
      const diagnostics = yield* started.provide(Effect.flatMap(processed([["ok.json", good]]), (batch) => Diagnostics.get(batch.id)))
      assert.deepStrictEqual(diagnostics.failedFiles, [])
      assert.deepStrictEqual(diagnostics.rowErrors, [])
    }))

  it.scoped("a row-error file that is not JSON lines is an AepDecodeError naming the file and line", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator({ processingDelayMillis: 1000 })
      const batch = yield* started.provide(processed([["bad.json", bad]]))
      // The listing passes; the row-error file's body is replaced with JSON cut short.
      started.state.faults.set({ rules: [{ method: "GET", path: "/meta$", skip: 1, fault: { type: "malformed" } }] })
      const error = yield* started.provide(Diagnostics.rowErrors(batch.id)).pipe(Effect.flip)
      assert.instanceOf(error, AepDecodeError)
      assert.strictEqual((error as AepDecodeError).expected, "row-error line")
      assert.deepStrictEqual((error as AepDecodeError).issues.map((i) => [i.path, i.message]), [
        ["row_errors/bad.json.json:1", "the line is not JSON"]
      ])
    }))

  it.scoped("a row-error line of the wrong shape is an AepDecodeError naming the field", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator({ processingDelayMillis: 1000 })
      const batch = yield* started.provide(processed([["bad.json", bad]]))
      started.state.faults.set({ rules: [{ method: "GET", path: "/meta$", skip: 1, fault: { type: "schema" } }] })
      const error = yield* started.provide(Diagnostics.rowErrors(batch.id)).pipe(Effect.flip)
      assert.instanceOf(error, AepDecodeError)
      assert.isTrue((error as AepDecodeError).issues.some((i) => i.path === "row_errors/bad.json.json:1._errors"))
    }))

  it.scoped("an unknown batch is a 404; a bad id is refused before any request", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      const missing = yield* started.provide(Diagnostics.get("0123456789abcdef0123456789abcdef")).pipe(Effect.flip)
      assert.instanceOf(missing, AepHttpError)
      assert.strictEqual((missing as AepHttpError).status, 404)
      const before = totalRequests(started.emulator)
      const calls: ReadonlyArray<Effect.Effect<unknown, unknown, AepClient.AepClient>> = [
        Diagnostics.get("../../x"),
        Diagnostics.failedFiles("../../x"),
        Diagnostics.rowErrors("../../x")
      ]
      for (const call of calls) {
        const error = yield* started.provide(call).pipe(Effect.flip)
        assert.instanceOf(error, AepValidationError)
      }
      const download = yield* started.provide(Diagnostics.downloadFailedFile("a b", "x.json")).pipe(Effect.flip)
      assert.instanceOf(download, AepValidationError)
      assert.strictEqual(totalRequests(started.emulator), before)
    }))
})
