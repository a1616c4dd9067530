import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Data from "effect/Data"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import { AepHttpError, AepValidationError } from "../src/AepError.js"
import { BatchFailed } from "../src/BatchFailed.js"
import * as Files from "../src/Files.js"
import * as Ingest from "../src/Ingest.js"
import {
  datasetId,
  driveClock,
  eventually,
  jsonLines,
  parquetFile,
  pattern,
  retained,
  sandbox,
  type Started,
  startEmulator,
  totalRequests,
  utf8
} from "./support/lifecycle.js"

class SourceBroke extends Data.TaggedError("SourceBroke")<{}> {}

const recorder = () => {
  const events: Array<Ingest.Event> = []
  return { events, onEvent: (event: Ingest.Event) => Effect.sync(() => void events.push(event)), tags: () => events.map((e) => e._tag) }
}

const entry = (started: Started, id: string) => started.state.entry(sandbox, id)!

describe("Ingest.run to success", () => {
  const formats = [
    {
      format: "json" as const,
      files: [["people.json", utf8(jsonLines(4))], ["part=2/more.json", utf8(jsonLines(3, 4))]] as const,
      rows: 7
    },
    {
      format: "csv" as const,
      files: [["people.csv", utf8("id,name\n1,Ada\n2,Grace\n3,Katherine\n")], ["more.csv", utf8("id,name\n4,Margaret\n")]] as const,
      rows: 4
    },
    {
      format: "parquet" as const,
      files: [["part-0.parquet", parquetFile(5)], ["part-1.parquet", parquetFile(300)]] as const,
      rows: 305
    }
  ]
  for (const { files, format, rows } of formats) {
    it.scoped(`ingests ${format} files to success, with metrics`, () =>
      Effect.gen(function*() {
        const started = yield* startEmulator({ processingDelayMillis: 3000 })
        const batch = yield* driveClock(started, started.provide(Ingest.run({
          datasetId,
          inputFormat: { format },
          files: files.map(([name, bytes]) => Files.fromBytes(name, bytes))
        })))
        const bytes = files.reduce((n, [, b]) => n + b.length, 0)
        assert.strictEqual(batch.status, "success")
        assert.strictEqual(batch.recordCount, rows)
        assert.strictEqual(batch.failedRecordCount, 0)
        assert.strictEqual(batch.metrics?.inputFileCount, files.length)
        assert.strictEqual(batch.metrics?.inputByteSize, bytes)
        assert.strictEqual(batch.metrics?.inputRecordCount, rows)
        assert.isUndefined(batch.errors)
        assert.isDefined(batch.completed)
        // One create, one COMPLETE, every file stored as sent.
        assert.strictEqual(started.state.counter("batches.create"), 1)
        assert.strictEqual(started.state.counter("batches.signal"), 1)
        for (const [name, sent] of files) assert.deepStrictEqual(retained(started, batch.id, name), sent)
      }))
  }

  it.scoped("uploads many files with bounded concurrency and reports each", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      const { events, onEvent } = recorder()
      const files = Array.from({ length: 12 }, (_, i) => Files.fromBytes(`dir-${i % 3}/f${i}.json`, utf8(jsonLines(i + 1))))
      const batch = yield* driveClock(started, started.provide(Ingest.run({ datasetId, inputFormat: { format: "json" }, files, concurrency: 3, onEvent })))
      assert.strictEqual(batch.status, "success")
      assert.strictEqual(batch.recordCount, 78)
      assert.strictEqual(entry(started, batch.id).files.size, 12)
      const uploaded = events.filter((e) => e._tag === "FileUploaded")
      assert.deepStrictEqual(uploaded.map((e) => e.filesDone), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
      assert.deepStrictEqual(uploaded.map((e) => e.uploaded.path).sort(), files.map((f) => f.path).sort())
      // At most 3 files were between FileStarted and FileUploaded at any time.
      let open = 0
      let most = 0
      for (const event of events) {
        if (event._tag === "FileStarted") most = Math.max(most, ++open)
        if (event._tag === "FileUploaded") open--
      }
      assert.isAtMost(most, 3)
      assert.isAtLeast(most, 2)
    }))

  it.scoped("partial ingestion: succeeds with the failed rows counted and the errors on the batch", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      const content = jsonLines(9) + "not json\n"
      const batch = yield* driveClock(started, started.provide(Ingest.run({
        datasetId,
        inputFormat: { format: "json" },
        partialIngestionPercentage: 10,
        enableErrorDiagnostics: true,
        files: [Files.fromBytes("mixed.json", utf8(content))]
      })))
      assert.strictEqual(batch.status, "success")
      assert.strictEqual(batch.recordCount, 9)
      assert.strictEqual(batch.failedRecordCount, 1)
      assert.deepStrictEqual(batch.errors?.map((e) => e.code), ["INGEST-1212-400", "INGEST-1401-400"])
      assert.strictEqual(batch.errors?.[1]?.recordCount, 1)
      assert.strictEqual(batch.tags?.["acp_partialIngestionPercent"], 10)
    }))

  it.scoped("large files go through the chunked protocol; the emulator gets the bytes in order", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      const { events, onEvent } = recorder()
      const big = utf8(jsonLines(30))
      const small = utf8(jsonLines(1, 100))
      const batch = yield* driveClock(started, started.provide(Ingest.run({
        datasetId,
        inputFormat: { format: "json" },
        files: [Files.fromBytes("big.json", big), Files.fromBytes("small.json", small)],
        upload: { largeFileThreshold: small.length, chunkSize: 256 },
        onEvent
      })))
      assert.strictEqual(batch.status, "success")
      assert.strictEqual(batch.recordCount, 31)
      const chunks = Math.ceil(big.length / 256)
      assert.isAtLeast(chunks, 3)
      assert.strictEqual(started.state.counter("files.patch"), chunks)
      assert.strictEqual(started.state.counter("files.put"), 1)
      assert.deepStrictEqual(retained(started, batch.id, "big.json"), big)
      const uploaded = events.flatMap((e) => (e._tag === "FileUploaded" ? [e.uploaded] : []))
      assert.deepStrictEqual(uploaded.find((u) => u.path === "big.json"), { path: "big.json", size: big.length, method: "chunked", chunks })
    }))

  it.scoped("await: false returns once COMPLETE is accepted, without polling", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      const { events, onEvent } = recorder()
      const batch = yield* started.provide(Ingest.run({
        datasetId,
        inputFormat: { format: "json" },
        files: [Files.fromBytes("a.json", utf8(jsonLines(2)))],
        await: false,
        onEvent
      }))
      assert.strictEqual(batch.status, "staging")
      assert.strictEqual(started.state.counter("catalog.getBatch"), 1)
      assert.deepStrictEqual(events.map((e) => e._tag), ["BatchCreated", "FileStarted", "FileProgress", "FileUploaded", "BatchCompleted", "Finished"])
    }))
})

describe("Ingest.run failures", () => {
  it.scoped("a corrupt file ends in BatchFailed, whose diagnostics give the row errors and failed files", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      const error = yield* driveClock(started, started.provide(Ingest.run({
        datasetId,
        inputFormat: { format: "json" },
        enableErrorDiagnostics: true,
        files: [Files.fromBytes("good.json", utf8(jsonLines(2))), Files.fromBytes("bad.json", utf8("{\"id\":1}\n{oops\n"))]
      }))).pipe(Effect.flip)
      assert.instanceOf(error, BatchFailed)
      const failed = error as BatchFailed
      assert.strictEqual(failed.status, "failed")
      assert.strictEqual(failed.batch.recordCount, 0)
      assert.strictEqual(failed.batch.failedRecordCount, 1)
      const diagnostics = yield* started.provide(failed.diagnostics)
      assert.deepStrictEqual(diagnostics.rowErrors.map((row) => [row.file, row.record]), [["bad.json", "{oops"]])
      assert.deepStrictEqual(diagnostics.failedFiles.map((f) => f.name).sort(), ["bad.json", "good.json"])
    }))

  it.scoped("an unreadable Parquet file fails the batch", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      const corrupt = parquetFile(3).slice(0, -1)
      const error = yield* driveClock(started, started.provide(Ingest.run({
        datasetId,
        inputFormat: { format: "parquet" },
        files: [Files.fromBytes("ok.parquet", parquetFile(3)), Files.fromBytes("cut.parquet", corrupt)]
      }))).pipe(Effect.flip)
      assert.instanceOf(error, BatchFailed)
      assert.match((error as BatchFailed).errors.map((e) => e.description ?? "").join(" "), /cut\.parquet is not a valid Parquet file/)
    }))

  it.scoped("an upload refused by AEP aborts the batch before COMPLETE", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      // A refusal the client does not retry.
      started.state.faults.set({ rules: [{ method: "PUT", path: "/files/b\\.json$", fault: { type: "status", status: 400 } }] })
      const { onEvent, tags } = recorder()
      const error = yield* started.provide(Ingest.run({
        datasetId,
        inputFormat: { format: "json" },
        concurrency: 1,
        files: ["a", "b", "c"].map((name) => Files.fromBytes(`${name}.json`, utf8(jsonLines(1)))),
        onEvent
      })).pipe(Effect.flip)
      assert.instanceOf(error, AepHttpError)
      assert.strictEqual((error as AepHttpError).status, 400)
      const [id] = [...started.state.batches.values()].map((e) => e.record.id)
      assert.strictEqual(entry(started, id!).record.status, "aborted")
      assert.isUndefined(entry(started, id!).completeAt, "COMPLETE was never accepted")
      // c.json was never sent.
      assert.deepStrictEqual([...entry(started, id!).files.keys()], ["a.json"])
      assert.deepStrictEqual(tags(), ["BatchCreated", "FileStarted", "FileProgress", "FileUploaded", "FileStarted", "FileProgress", "BatchAborted"])
    }))

  it.scoped("a 503 on an upload is retried and the ingest succeeds", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      started.state.faults.set({ rules: [{ method: "PUT", path: "/files/b\\.json$", fault: { type: "status", status: 503 } }] })
      const batch = yield* driveClock(started, started.provide(Ingest.run({
        datasetId,
        inputFormat: { format: "json" },
        files: ["a", "b", "c"].map((name) => Files.fromBytes(`${name}.json`, utf8(jsonLines(2)))),
        enableErrorDiagnostics: true
      })))
      assert.strictEqual(batch.status, "success")
      assert.strictEqual(batch.recordCount, 6)
      assert.strictEqual(started.state.counter("faults.status"), 1)
    }))

  it.scoped("an upload that keeps failing with 503 aborts the batch once the retries are spent", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      started.state.faults.set({ rules: [{ method: "PUT", path: "/files/", times: 100, fault: { type: "status", status: 503 } }] })
      const error = yield* driveClock(started, started.provide(Ingest.run({
        datasetId,
        inputFormat: { format: "json" },
        files: [Files.fromBytes("a.json", utf8(jsonLines(2)))]
      }))).pipe(Effect.flip)
      assert.instanceOf(error, AepHttpError)
      assert.strictEqual((error as AepHttpError).status, 503)
      const [only] = [...started.state.batches.values()]
      assert.strictEqual(only?.record.status, "aborted")
      assert.strictEqual(only?.files.size, 0)
    }))

  it.scoped("a source that fails aborts the batch and surfaces the source's error", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      const broken: Files.FileSource<SourceBroke> = {
        path: "broken.json",
        size: 1000,
        stream: Stream.concat(Stream.make(utf8("{\"id\":1}\n")), Stream.fail(new SourceBroke()))
      }
      const error = yield* started.provide(Ingest.run({ datasetId, inputFormat: { format: "json" }, files: [broken] })).pipe(Effect.flip)
      assert.instanceOf(error, SourceBroke)
      const [only] = [...started.state.batches.values()]
      assert.strictEqual(only?.record.status, "aborted")
    }))

  it.scoped("a refused COMPLETE aborts the batch", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      // Once (the ABORT that follows goes to the same path), and a status the client does not retry.
      started.state.faults.set({ rules: [{ method: "POST", path: "/import/batches/[0-9a-f]+$", fault: { type: "status", status: 400 } }] })
      const error = yield* started.provide(Ingest.run({
        datasetId,
        inputFormat: { format: "json" },
        files: [Files.fromBytes("a.json", utf8(jsonLines(1)))]
      })).pipe(Effect.flip)
      assert.instanceOf(error, AepHttpError)
      assert.strictEqual((error as AepHttpError).operation, "Batches.complete")
      const [only] = [...started.state.batches.values()]
      assert.strictEqual(only?.record.status, "aborted")
    }))
})

describe("Ingest.run interrupted", () => {
  it.scoped("mid-upload (a source that never ends): the batch is aborted", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      const uploading = yield* Deferred.make<void>()
      const { onEvent, tags } = recorder()
      const endless: Files.FileSource = {
        path: "endless.json",
        size: 1_000_000,
        stream: Stream.concat(Stream.make(utf8(jsonLines(5))), Stream.never)
      }
      const fiber = yield* started.provide(Ingest.run({
        datasetId,
        inputFormat: { format: "json" },
        files: [Files.fromBytes("done.json", utf8(jsonLines(1))), endless],
        concurrency: 2,
        onEvent: (event) =>
          Effect.zipRight(onEvent(event), event._tag === "FileProgress" && event.path === "endless.json" ? Deferred.succeed(uploading, undefined) : Effect.void)
      })).pipe(Effect.fork)
      yield* Deferred.await(uploading)
      yield* Fiber.interrupt(fiber)
      const [only] = [...started.state.batches.values()]
      assert.strictEqual(only?.record.status, "aborted")
      assert.isUndefined(only?.completeAt)
      assert.isFalse(only?.files.has("endless.json"))
      assert.strictEqual(tags().at(-1), "BatchAborted")
    }))

  it.scoped("while a PATCH hangs (latency fault): the batch is aborted", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      started.state.faults.set({ rules: [{ method: "PATCH", path: "/files/", skip: 1, fault: { type: "latency", millis: 600_000 } }] })
      const fiber = yield* started.provide(Ingest.run({
        datasetId,
        inputFormat: { format: "json" },
        files: [Files.fromBytes("big.json", utf8(jsonLines(50)))],
        upload: { largeFileThreshold: 100, chunkSize: 200 }
      })).pipe(Effect.fork)
      yield* eventually(() => started.state.counter("faults.latency") === 1, "the second PATCH")
      yield* Fiber.interrupt(fiber)
      const [only] = [...started.state.batches.values()]
      assert.strictEqual(only?.record.status, "aborted")
      assert.isFalse(only?.files.get("big.json")?.complete)
    }))

  it.scoped("while the BatchCreated event is being handled: the batch is aborted, not left loading", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      const created = yield* Deferred.make<void>()
      const fiber = yield* started.provide(Ingest.run({
        datasetId,
        inputFormat: { format: "json" },
        files: [Files.fromBytes("a.json", utf8(jsonLines(1)))],
        // A progress display that is slow to draw its first frame.
        onEvent: (event) => event._tag === "BatchCreated" ? Effect.zipRight(Deferred.succeed(created, undefined), Effect.never) : Effect.void
      })).pipe(Effect.fork)
      yield* Deferred.await(created)
      yield* Fiber.interrupt(fiber)
      const [only] = [...started.state.batches.values()]
      assert.strictEqual(only?.record.status, "aborted")
    }))

  it.scoped("after COMPLETE (while waiting): the batch is left to finish, not aborted", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      const completed = yield* Deferred.make<void>()
      const fiber = yield* started.provide(Ingest.run({
        datasetId,
        inputFormat: { format: "json" },
        files: [Files.fromBytes("a.json", utf8(jsonLines(1)))],
        onEvent: (event) => event._tag === "BatchCompleted" ? Deferred.succeed(completed, undefined) : Effect.void
      })).pipe(Effect.fork)
      yield* Deferred.await(completed)
      yield* Fiber.interrupt(fiber)
      const [only] = [...started.state.batches.values()]
      assert.strictEqual(only?.record.status, "staging")
      assert.strictEqual(started.state.counter("batches.signal"), 1)
    }))
})

describe("Ingest.run validation: nothing is sent", () => {
  const fake = (path: string, size: number): Files.FileSource => ({ path, size, stream: Stream.empty })
  const json = (path: string) => Files.fromBytes(path, utf8(jsonLines(1)))
  const cases: ReadonlyArray<readonly [string, Partial<Ingest.Options>, RegExp, RegExp]> = [
    ["an empty file list", { files: [] }, /^files$/, /at least one file/],
    ["1501 files", { files: Array.from({ length: 1501 }, (_, i) => json(`f${i}.json`)) }, /^files$/, /1501 files; a batch holds at most 1500/],
    ["a file over 100 GB", { files: [fake("huge.bin", 100 * 1024 ** 3 + 1)] }, /^files\[0\]\.size$/, /at most 100 GB/],
    ["files over 100 GB together", { files: [fake("a.bin", 60 * 1024 ** 3), fake("b.bin", 60 * 1024 ** 3)] }, /^files$/, /a batch holds at most/],
    ["a path listed twice", { files: [json("a.json"), json("b.json"), json("a.json")] }, /^files\[2\]\.path$/, /a\.json is listed twice/],
    ["a traversal path", { files: [json("ok.json"), json("../escape.json")] }, /^files\[1\]\.path$/, /'\.' or '\.\.'/],
    ["an encoded traversal path", { files: [json("%2e%2e")] }, /^files\[0\]\.path$/, /'\.' or '\.\.'/],
    ["concurrency 0", { concurrency: 0 }, /^concurrency$/, /1 to 32/],
    ["concurrency 33", { concurrency: 33 }, /^concurrency$/, /1 to 32/],
    ["concurrency 1.5", { concurrency: 1.5 }, /^concurrency$/, /integer/],
    ["a chunk size of 0", { upload: { chunkSize: 0 } }, /^files\[0\]\.chunkSize$/, /between 1 byte and 1 GB/],
    ["an empty dataset id", { datasetId: "" }, /^datasetId$/, /must not be empty/],
    ["a partial ingestion percentage over 100", { partialIngestionPercentage: 101 }, /^partialIngestionPercentage$/, /./]
  ]
  for (const [name, override, field, message] of cases) {
    it.scoped(`refuses ${name} before any request`, () =>
      Effect.gen(function*() {
        const started = yield* startEmulator()
        const options = { datasetId, inputFormat: { format: "json" as const }, files: [json("ok.json")], ...override } as Ingest.Options
        const error = yield* started.provide(Ingest.run(options)).pipe(Effect.flip)
        if (!(error instanceof AepValidationError)) return assert.fail(`expected AepValidationError, got ${String(error)}`)
        assert.strictEqual(error.operation, "Ingest.run")
        assert.match(error.field, field)
        assert.match(error.issues.map((i) => i.message).join("\n"), message)
        assert.strictEqual(totalRequests(started.emulator), 0)
      }))
  }

  it.scoped("accepts exactly 1500 files (the batch is created)", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      // The create is refused (not retried), so the 1500 files are never sent: enough to see that
      // validation let them through.
      started.state.faults.set({ rules: [{ method: "POST", path: "/import/batches$", fault: { type: "status", status: 400 } }] })
      const files = Array.from({ length: 1500 }, (_, i) => json(`f${i}.json`))
      const error = yield* started.provide(Ingest.run({ datasetId, inputFormat: { format: "json" }, files })).pipe(Effect.flip)
      assert.instanceOf(error, AepHttpError)
      assert.strictEqual((error as AepHttpError).operation, "Batches.create")
      assert.strictEqual(started.state.counter("faults.status"), 1)
    }))
})

describe("Ingest.stream", () => {
  it.scoped("emits the events in order, ending with Finished; progress adds up to the bytes", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator({ processingDelayMillis: 4000 })
      const big = utf8(jsonLines(40, 100))
      const files: Array<Files.FileSource> = [
        Files.fromBytes("b.json", utf8(jsonLines(20))),
        Files.fromBytes("c.json", utf8(jsonLines(3))),
        // Above the threshold: sent in 700-byte chunks.
        { path: "d/big.json", size: big.length, stream: Stream.make(big.slice(0, 1000), big.slice(1000)) }
      ]
      const totalBytes = files.reduce((n, f) => n + f.size, 0)
      const events = Chunk.toReadonlyArray(yield* driveClock(started, started.provide(Stream.runCollect(Ingest.stream({
        datasetId,
        inputFormat: { format: "json" },
        files,
        concurrency: 2,
        upload: { largeFileThreshold: 1000, chunkSize: 700 }
      })))))
      const tags = events.map((e) => e._tag)
      assert.strictEqual(tags[0], "BatchCreated")
      assert.strictEqual(tags.at(-1), "Finished")
      assert.strictEqual(tags.filter((t) => t === "Finished").length, 1)
      const created = events[0] as Extract<Ingest.Event, { _tag: "BatchCreated" }>
      assert.strictEqual(created.totalBytes, totalBytes)
      assert.strictEqual(created.totalFiles, 3)
      assert.strictEqual(created.batch.status, "loading")

      // Uploads, then COMPLETE, then status changes, then the end.
      const completedAt = tags.indexOf("BatchCompleted")
      assert.isTrue(tags.slice(0, completedAt).every((t) => t !== "StatusChanged"))
      assert.isTrue(tags.slice(completedAt + 1, -1).every((t) => t === "StatusChanged"))
      const statuses = events.flatMap((e) => (e._tag === "StatusChanged" ? [e.batch.status] : []))
      assert.deepStrictEqual(statuses, ["staging", "processing", "success"])

      // Per file: started, progress up to its size, uploaded.
      for (const file of files) {
        const own = events.filter((e) => "path" in e && e.path === file.path || e._tag === "FileUploaded" && e.uploaded.path === file.path)
        assert.strictEqual(own[0]?._tag, "FileStarted", file.path)
        assert.strictEqual(own.at(-1)?._tag, "FileUploaded", file.path)
        const progress = own.flatMap((e) => (e._tag === "FileProgress" ? [e.bytesSent] : []))
        assert.strictEqual(progress.at(-1), file.size, file.path)
        assert.deepStrictEqual(progress, [...progress].sort((x, y) => x - y))
      }
      const bigProgress = events.flatMap((e) => (e._tag === "FileProgress" && e.path === "d/big.json" ? [e.bytesSent] : []))
      assert.isAbove(big.length, 1000)
      assert.isBelow(big.length, 1400)
      assert.deepStrictEqual(bigProgress, [700, big.length])

      // Overall progress only grows, and ends at the total.
      const overall = events.flatMap((e) => (e._tag === "FileProgress" ? [e.totalBytesSent] : []))
      assert.deepStrictEqual(overall, [...overall].sort((x, y) => x - y))
      assert.strictEqual(overall.at(-1), totalBytes)
      assert.isTrue(events.every((e) => e._tag !== "FileProgress" || e.totalBytes === totalBytes))
      const uploaded = events.flatMap((e) => (e._tag === "FileUploaded" ? [[e.filesDone, e.totalFiles]] : []))
      assert.deepStrictEqual(uploaded, [[1, 3], [2, 3], [3, 3]])

      const finished = events.at(-1) as Extract<Ingest.Event, { _tag: "Finished" }>
      assert.strictEqual(finished.batch.status, "success")
      assert.strictEqual(finished.batch.recordCount, 63)
    }))

  it.scoped("fails the stream with the ingest's error after the events so far", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      const seen: Array<string> = []
      const error = yield* driveClock(started, started.provide(Ingest.stream({
        datasetId,
        inputFormat: { format: "json" },
        files: [Files.fromBytes("bad.json", utf8("{oops\n"))]
      }).pipe(Stream.runForEach((event) => Effect.sync(() => seen.push(event._tag)))))).pipe(Effect.flip)
      assert.instanceOf(error, BatchFailed)
      assert.deepStrictEqual(seen.slice(0, 5), ["BatchCreated", "FileStarted", "FileProgress", "FileUploaded", "BatchCompleted"])
      assert.notInclude(seen, "Finished")
    }))

  it.scoped("stopping the stream before COMPLETE aborts the batch", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      const endless: Files.FileSource = { path: "endless.json", size: 10_000, stream: Stream.concat(Stream.make(utf8("{}\n")), Stream.never) }
      const events = yield* started.provide(Stream.runCollect(Ingest.stream({
        datasetId,
        inputFormat: { format: "json" },
        files: [endless]
      }).pipe(Stream.takeUntil((event) => event._tag === "FileProgress"))))
      assert.deepStrictEqual(Chunk.toReadonlyArray(events).map((e) => e._tag), ["BatchCreated", "FileStarted", "FileProgress"])
      const [only] = [...started.state.batches.values()]
      yield* eventually(() => only?.record.status === "aborted", "the batch to be aborted")
    }))
})

describe("Ingest with a large file", () => {
  it.scoped("pattern bytes survive chunking across uneven source pieces", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      const bytes = pattern(5000)
      const source: Files.FileSource = {
        path: "raw.parquet",
        size: bytes.length,
        stream: Stream.fromIterable([bytes.slice(0, 1), bytes.slice(1, 2999), bytes.slice(2999)])
      }
      const batch = yield* started.provide(Ingest.run({
        datasetId,
        inputFormat: { format: "parquet" },
        files: [source],
        upload: { largeFileThreshold: 1000, chunkSize: 1024 },
        await: false
      }))
      assert.deepStrictEqual(retained(started, batch.id, "raw.parquet"), bytes)
      assert.strictEqual(started.state.counter("files.patch"), 5)
    }))
})
