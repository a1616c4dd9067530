import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, TestClock } from "effect"
import * as Emulator from "../src/Emulator.js"
import type * as Schemas from "../src/Schemas.js"
import {
  call,
  createBatch,
  expectEmpty,
  expectProblem,
  filePath,
  getBatch,
  importPath,
  ingest,
  parquet,
  putFile,
  settle,
  signal,
  utf8
} from "./support.js"

const delay = 4000

const jsonLines = (count: number) =>
  Array.from({ length: count }, (_, i) => JSON.stringify({ id: i, name: `row ${i}` })).join("\n") + "\n"

/** The fields a finished batch has, checked against each other. */
const assertFinished = (batch: Schemas.Batch, expected: {
  readonly status: "success" | "failed"
  readonly bytes: number
  readonly files: number
  readonly read: number
  readonly failed: number
}) => {
  assert.strictEqual(batch.status, expected.status)
  const written = expected.status === "success" ? expected.read - expected.failed : 0
  assert.strictEqual(batch.recordCount, written)
  assert.strictEqual(batch.failedRecordCount, expected.failed)
  assert.strictEqual(batch.size, expected.bytes)
  assert.deepStrictEqual(batch.metrics, {
    inputByteSize: expected.bytes,
    inputFileCount: expected.files,
    inputRecordCount: expected.read,
    outputRecordCount: written,
    failedRecordCount: expected.failed
  })
  assert.isDefined(batch.started)
  assert.isDefined(batch.completed)
  assert.isAtLeast(batch.started!, batch.created)
  assert.isAtLeast(batch.completed!, batch.started!)
  assert.strictEqual(batch.updated, batch.completed)
}

describe("Lifecycle", () => {
  it.layer(Emulator.layer({ processingDelayMillis: delay }))((it) => {
    it.effect("walks a JSON-lines batch through staging and processing to success, by the test clock", () =>
      Effect.gen(function*() {
        const batch = yield* createBatch({ inputFormat: { format: "json" } })
        const file = jsonLines(3)
        expectEmpty(yield* putFile(batch.id, "people.json", file), 201)
        // Uploading changes nothing about the status, however long it takes.
        yield* TestClock.adjust(Duration.minutes(10))
        assert.strictEqual((yield* getBatch(batch.id)).status, "loading")

        expectEmpty(yield* signal(batch.id, "COMPLETE"), 200)
        const completedAt = yield* TestClock.currentTimeMillis
        const staging = yield* getBatch(batch.id)
        assert.strictEqual(staging.status, "staging")
        assert.strictEqual(staging.updated, completedAt)
        assert.isUndefined(staging.started)

        yield* TestClock.adjust(Duration.millis(delay / 2 - 1))
        assert.strictEqual((yield* getBatch(batch.id)).status, "staging")
        yield* TestClock.adjust(Duration.millis(1))
        const processing = yield* getBatch(batch.id)
        assert.strictEqual(processing.status, "processing")
        assert.strictEqual(processing.started, completedAt + delay / 2)
        assert.isUndefined(processing.completed)
        assert.isUndefined(processing.recordCount)

        yield* TestClock.adjust(Duration.millis(delay / 2 - 1))
        assert.strictEqual((yield* getBatch(batch.id)).status, "processing")
        yield* TestClock.adjust(Duration.millis(1))
        const done = yield* getBatch(batch.id)
        assertFinished(done, { status: "success", bytes: utf8(file).length, files: 1, read: 3, failed: 0 })
        assert.strictEqual(done.started, completedAt + delay / 2)
        assert.strictEqual(done.completed, completedAt + delay)
        assert.isUndefined(done.errors)
        // `?aggregate=true` answers the same roll-up.
        assert.deepStrictEqual(yield* getBatch(batch.id, "?aggregate=true"), done)
      }))

    it.effect("counts the records of a multi-line JSON file (one array of objects)", () =>
      Effect.gen(function*() {
        const file = JSON.stringify([{ a: 1 }, { a: 2 }, { b: { nested: [1, 2] } }], null, 2)
        const batch = yield* ingest({ inputFormat: { format: "json", isMultiLineJson: true } }, { "doc.json": file })
        assertFinished(batch, { status: "success", bytes: utf8(file).length, files: 1, read: 3, failed: 0 })
        assert.deepStrictEqual(batch.inputFormat, { format: "json", isMultiLineJson: true })
      }))

    it.effect("reads multi-line JSON as one document: the same pretty-printed text as JSON lines fails", () =>
      Effect.gen(function*() {
        const file = JSON.stringify({ a: 1, b: 2 }, null, 2)
        const asDocument = yield* ingest({ inputFormat: { format: "json", isMultiLineJson: true } }, { "doc.json": file })
        assert.strictEqual(asDocument.status, "success")
        assert.strictEqual(asDocument.recordCount, 1)
        const asLines = yield* ingest({ inputFormat: { format: "json" } }, { "doc.json": file })
        assert.strictEqual(asLines.status, "failed")
        assert.strictEqual(asLines.failedRecordCount, 4)
      }))

    it.effect("counts CSV rows after the header, with the declared delimiter", () =>
      Effect.gen(function*() {
        const file = "id,name\n1,Ada\n2,\"Grace, Hopper\"\n3,Linus\n"
        const batch = yield* ingest({ inputFormat: { format: "CSV" } }, { "people.csv": file })
        assertFinished(batch, { status: "success", bytes: utf8(file).length, files: 1, read: 3, failed: 0 })
        assert.strictEqual(batch.inputFormat.format, "csv")

        const semicolons = "id;name\n1;Ada\n2;Grace\n"
        const other = yield* ingest({ inputFormat: { format: "csv", delimiter: ";" } }, { "people.csv": semicolons })
        assert.strictEqual(other.status, "success")
        assert.strictEqual(other.recordCount, 2)
      }))

    it.effect("reads a Parquet file's num_rows from its footer", () =>
      Effect.gen(function*() {
        const file = parquet(7)
        const batch = yield* ingest({ inputFormat: { format: "parquet" } }, { "part-0.parquet": file })
        assertFinished(batch, { status: "success", bytes: file.length, files: 1, read: 7, failed: 0 })
        // A batch created without inputFormat is Parquet, too.
        const implicit = yield* ingest({}, { "a.parquet": parquet(2), "b.parquet": parquet(3) })
        assert.strictEqual(implicit.recordCount, 5)
        assert.strictEqual(implicit.metrics?.inputFileCount, 2)
      }))

    it.effect("fails a batch whose Parquet file lacks the PAR1 magic", () =>
      Effect.gen(function*() {
        const batch = yield* ingest({ inputFormat: { format: "parquet" } }, { "part-0.parquet": "not a parquet file at all" })
        assert.strictEqual(batch.status, "failed")
        assert.strictEqual(batch.recordCount, 0)
        assert.strictEqual(batch.errors?.[0]?.code, "INGEST-1401-400")
        assert.match(batch.errors?.[0]?.description ?? "", /PAR1/)
      }))

    it.effect("adds up several files, kept under partition directories", () =>
      Effect.gen(function*() {
        const first = jsonLines(2)
        const second = jsonLines(5)
        const batch = yield* ingest({ inputFormat: { format: "json" } }, {
          "date=2026-12-01/part-0.json": first,
          "date=2026-12-02/part-0.json": second
        })
        assertFinished(batch, {
          status: "success",
          bytes: utf8(first).length + utf8(second).length,
          files: 2,
          read: 7,
          failed: 0
        })
      }))

    it.effect("ingests partially: corrupt rows within partialIngestionPercentage succeed with the documented errors", () =>
      Effect.gen(function*() {
        // 1 corrupt row of 10 is 10 %: exactly at the threshold.
        const file = jsonLines(9) + "{not json\n"
        const batch = yield* ingest(
          { inputFormat: { format: "json" }, partialIngestionPercentage: 10, enableErrorDiagnostics: true },
          { "rows.json": file }
        )
        assertFinished(batch, { status: "success", bytes: utf8(file).length, files: 1, read: 10, failed: 1 })
        assert.strictEqual(batch.tags.acp_partialIngestionPercent, 10)
        assert.strictEqual(batch.tags.acp_enableErrorDiagnostics, true)
        assert.deepStrictEqual(batch.errors?.map((error) => error.code), ["INGEST-1212-400", "INGEST-1401-400"])
        assert.match(batch.errors?.[0]?.description ?? "", /Encountered 1 errors.*Successfully ingested 9 rows/)
        assert.strictEqual(batch.errors?.[1]?.recordCount, 1)
      }))

    it.effect("fails a batch whose corrupt rows exceed the percentage (either spelling), and by default any corrupt row", () =>
      Effect.gen(function*() {
        const file = jsonLines(8) + "[1]\n\"text\"\n"
        const above = yield* ingest({ inputFormat: { format: "json" }, partialIngestionPercent: 10 }, { "rows.json": file })
        assertFinished(above, { status: "failed", bytes: utf8(file).length, files: 1, read: 10, failed: 2 })
        assert.deepStrictEqual(above.errors?.map((error) => error.code), ["INGEST-1212-400", "INGEST-1401-400"])
        assert.strictEqual(above.errors?.[1]?.recordCount, 2)

        const strict = yield* ingest({ inputFormat: { format: "json" } }, { "rows.json": jsonLines(99) + "oops\n" })
        assert.strictEqual(strict.status, "failed")
        assert.strictEqual(strict.failedRecordCount, 1)
        assert.strictEqual(strict.recordCount, 0)

        const csv = yield* ingest({ inputFormat: { format: "csv" }, partialIngestionPercentage: 50 }, {
          "rows.csv": "a,b\n1,2\n3\n4,5\n"
        })
        assert.strictEqual(csv.status, "success")
        assert.strictEqual(csv.recordCount, 2)
        assert.strictEqual(csv.failedRecordCount, 1)
      }))

    it.effect("fails an empty file with code 106, and a batch completed without files", () =>
      Effect.gen(function*() {
        const empty = yield* ingest({ inputFormat: { format: "json" } }, { "empty.json": "" })
        assert.strictEqual(empty.status, "failed")
        assert.deepStrictEqual(empty.errors?.map((error) => error.code), ["106"])
        assert.match(empty.errors?.[0]?.description ?? "", /empty\.json/)
        assert.strictEqual(empty.metrics?.inputByteSize, 0)

        const none = yield* ingest({}, {})
        assert.strictEqual(none.status, "failed")
        assert.deepStrictEqual(none.errors?.map((error) => error.code), ["106"])
        assert.strictEqual(none.metrics?.inputFileCount, 0)
      }))
  })
})

describe("Batch actions", () => {
  it.layer(Emulator.layer({ processingDelayMillis: delay }))((it) => {
    it.effect("COMPLETE is safe to repeat, in either letter case, during and after processing", () =>
      Effect.gen(function*() {
        const batch = yield* createBatch({ inputFormat: { format: "json" } })
        expectEmpty(yield* putFile(batch.id, "a.json", jsonLines(1)), 201)
        expectEmpty(yield* signal(batch.id, "complete"), 200)
        const staged = yield* getBatch(batch.id)
        assert.strictEqual(staged.status, "staging")
        expectEmpty(yield* signal(batch.id, "COMPLETE"), 200)
        // A retried COMPLETE does not restart processing.
        assert.deepStrictEqual(yield* getBatch(batch.id), staged)
        yield* settle
        const done = yield* getBatch(batch.id)
        assert.strictEqual(done.status, "success")
        expectEmpty(yield* signal(batch.id, "Complete"), 200)
        assert.deepStrictEqual(yield* getBatch(batch.id), done)
      }))

    it.effect("ABORT stops a loading or processing batch, repeats quietly, and is refused once the batch is final", () =>
      Effect.gen(function*() {
        const loading = yield* createBatch()
        yield* TestClock.adjust(Duration.millis(5))
        expectEmpty(yield* signal(loading.id, "abort"), 200)
        const aborted = yield* getBatch(loading.id)
        assert.strictEqual(aborted.status, "aborted")
        assert.strictEqual(aborted.completed, aborted.updated)
        assert.isAbove(aborted.updated, loading.updated)
        expectEmpty(yield* signal(loading.id, "ABORT"), 200)
        // Files can no longer be added, nor the batch completed.
        expectProblem(yield* putFile(loading.id, "late.parquet", parquet(1)), 400, /aborted/)
        expectProblem(yield* signal(loading.id, "COMPLETE"), 400, /aborted/)
        yield* settle
        assert.strictEqual((yield* getBatch(loading.id)).status, "aborted")

        const processing = yield* createBatch()
        expectEmpty(yield* putFile(processing.id, "a.parquet", parquet(1)), 201)
        expectEmpty(yield* signal(processing.id, "COMPLETE"), 200)
        expectEmpty(yield* signal(processing.id, "ABORT"), 200)
        // A COMPLETE retried after the abort must not pass for a completed batch.
        expectProblem(yield* signal(processing.id, "COMPLETE"), 400, /aborted/)
        yield* settle
        assert.strictEqual((yield* getBatch(processing.id)).status, "aborted")

        const succeeded = yield* ingest({}, { "a.parquet": parquet(1) })
        assert.strictEqual(succeeded.status, "success")
        expectProblem(yield* signal(succeeded.id, "ABORT"), 400, /finalized/)
        const failed = yield* ingest({}, {})
        assert.strictEqual(failed.status, "failed")
        expectProblem(yield* signal(failed.id, "ABORT"), 400, /finalized/)
        assert.strictEqual((yield* getBatch(failed.id)).status, "failed")
      }))

    it.effect("FAIL fails a loading batch with an error, and only a loading batch", () =>
      Effect.gen(function*() {
        const batch = yield* createBatch()
        expectEmpty(yield* signal(batch.id, "fail"), 200)
        const failed = yield* getBatch(batch.id)
        assert.strictEqual(failed.status, "failed")
        assert.isDefined(failed.completed)
        assert.strictEqual(failed.errors?.length, 1)
        expectEmpty(yield* signal(batch.id, "FAIL"), 200)

        const staging = yield* createBatch()
        expectEmpty(yield* putFile(staging.id, "a.parquet", parquet(1)), 201)
        expectEmpty(yield* signal(staging.id, "COMPLETE"), 200)
        expectProblem(yield* signal(staging.id, "FAIL"), 400, /staging/)
      }))

    it.effect("REVERT makes a successful batch inactive, then deleted after the processing delay", () =>
      Effect.gen(function*() {
        const loading = yield* createBatch()
        expectProblem(yield* signal(loading.id, "REVERT"), 400, /only a successful batch/)

        const batch = yield* ingest({}, { "a.parquet": parquet(4) })
        assert.strictEqual(batch.status, "success")
        expectEmpty(yield* signal(batch.id, "revert"), 200)
        const inactive = yield* getBatch(batch.id)
        assert.strictEqual(inactive.status, "inactive")
        assert.strictEqual(inactive.recordCount, 4)
        expectEmpty(yield* signal(batch.id, "REVERT"), 200)
        yield* TestClock.adjust(Duration.millis(delay - 1))
        assert.strictEqual((yield* getBatch(batch.id)).status, "inactive")
        yield* TestClock.adjust(Duration.millis(1))
        const deleted = yield* getBatch(batch.id)
        assert.strictEqual(deleted.status, "deleted")
        assert.strictEqual(deleted.updated, inactive.updated + delay)
        expectProblem(yield* signal(batch.id, "ABORT"), 400, /finalized/)

        const failed = yield* ingest({}, {})
        expectProblem(yield* signal(failed.id, "REVERT"), 400, /failed/)
      }))

    it.effect("refuses unknown or missing actions, unknown batches, and a COMPLETE with a large file still open", () =>
      Effect.gen(function*() {
        const batch = yield* createBatch()
        expectProblem(yield* signal(batch.id, "REPLAY"), 400, /COMPLETE, ABORT, FAIL, REVERT/)
        expectProblem(yield* call(`${importPath}/batches/${batch.id}`, { method: "POST" }), 400, /COMPLETE, ABORT, FAIL, REVERT/)
        expectProblem(yield* signal("0".repeat(32), "COMPLETE"), 404, /not found/)

        const open = yield* createBatch()
        expectEmpty(yield* call(`${filePath(open.id, "big.parquet")}?action=INITIALIZE`, { method: "POST" }), 201)
        expectProblem(yield* signal(open.id, "COMPLETE"), 400, /big\.parquet.*not completed/)
        assert.strictEqual((yield* getBatch(open.id)).status, "loading")
      }))
  })
})
