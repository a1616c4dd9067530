import { Batches, Files, Ingest } from "@effect-aep/core"
import { Demo, Emulator } from "@effect-aep/emulator"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as AepEdge from "../src/AepEdge.js"
import * as FileSource from "../src/FileSource.js"

const encoder = new TextEncoder()
const lines = (count: number) => Array.from({ length: count }, (_, i) => JSON.stringify({ id: i, name: `person ${i}` })).join("\n") + "\n"

const concat = (parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

const bytesOf = <E>(stream: Stream.Stream<Uint8Array, E>) =>
  Effect.map(Stream.runCollect(stream), (chunks) => concat(Chunk.toReadonlyArray(chunks)))

/** A ReadableStream that enqueues `parts` one by one, then closes (or errors). */
const readable = (parts: ReadonlyArray<Uint8Array>, failAtEnd = false) => {
  let i = 0
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const part = parts[i++]
      if (part !== undefined) controller.enqueue(part)
      else if (failAtEnd) controller.error(new Error("upstream went away"))
      else controller.close()
    }
  })
}

/** The emulator (processing at once) and the edge client (fetch) pointed at it. */
const emulatorClient = Effect.map(Emulator.start({ processingDelayMillis: 0 }), (emulator) => ({
  emulator,
  layer: AepEdge.layer({ platformUrl: emulator.url, orgId: Demo.orgId, apiKey: Demo.apiKey, accessToken: Demo.accessToken })
}))

const retained = (emulator: Emulator.Emulator, batchId: string, name: string) =>
  concat(emulator.state.entry(Demo.sandboxName, batchId)!.files.get(name)!.retained!)

describe("edge FileSource", () => {
  it.effect("fromBlob takes the blob's size and re-reads it on every run", () =>
    Effect.gen(function*() {
      const content = encoder.encode(lines(20))
      const source = FileSource.fromBlob("people.json", new Blob([content]))
      assert.strictEqual(source.path, "people.json")
      assert.strictEqual(source.size, content.length)
      assert.deepStrictEqual(yield* bytesOf(source.stream), content)
      assert.deepStrictEqual(yield* bytesOf(source.stream), content)
    }))

  it.effect("fromReadableStream can be read once only: a second run fails with SourceError", () =>
    Effect.gen(function*() {
      const content = encoder.encode(lines(3))
      const source = FileSource.fromReadableStream("once.json", readable([content]), content.length)
      assert.strictEqual(source.size, content.length)
      assert.deepStrictEqual(yield* bytesOf(source.stream), content)
      const error = yield* Effect.flip(bytesOf(source.stream))
      assert.instanceOf(error, FileSource.SourceError)
      assert.strictEqual(error._tag, "SourceError")
      assert.match(error.message, /reading once\.json failed: a ReadableStream can be read once only/)
    }))

  it.scoped("ingests a Blob, a File, a ReadableStream and bytes through the emulator to success", () =>
    Effect.gen(function*() {
      const { emulator, layer } = yield* emulatorClient
      const blob = encoder.encode(lines(2))
      const file = encoder.encode(lines(3))
      const streamed = [encoder.encode(lines(4)), encoder.encode(lines(1))]
      const bytes = encoder.encode(lines(5))
      const batch = yield* Ingest.run({
        datasetId: Demo.datasetId,
        inputFormat: { format: "json" },
        files: [
          FileSource.fromBlob("blob.json", new Blob([blob])),
          FileSource.fromBlob("dir/file.json", new File([file], "ignored-name.json")),
          FileSource.fromReadableStream("stream.json", readable(streamed), streamed[0]!.length + streamed[1]!.length),
          FileSource.fromBytes("bytes.json", bytes)
        ]
      }).pipe(Effect.provide(layer))
      assert.strictEqual(batch.status, "success")
      assert.strictEqual(batch.recordCount, 2 + 3 + 5 + 5)
      assert.deepStrictEqual(retained(emulator, batch.id, "blob.json"), blob)
      assert.deepStrictEqual(retained(emulator, batch.id, "dir/file.json"), file)
      assert.deepStrictEqual(retained(emulator, batch.id, "stream.json"), concat(streamed))
      assert.deepStrictEqual(retained(emulator, batch.id, "bytes.json"), bytes)
    }))

  it.scoped("a Blob and a ReadableStream above the threshold go in chunks, in order", () =>
    Effect.gen(function*() {
      const { emulator, layer } = yield* emulatorClient
      const content = encoder.encode(lines(100))
      const parts = [content.slice(0, 1), content.slice(1, 1500), content.slice(1500)]
      const batch = yield* Ingest.run({
        datasetId: Demo.datasetId,
        inputFormat: { format: "json" },
        files: [
          FileSource.fromBlob("blob.json", new Blob([content])),
          FileSource.fromReadableStream("stream.json", readable(parts), content.length)
        ],
        upload: { largeFileThreshold: 1000, chunkSize: 512 }
      }).pipe(Effect.provide(layer))
      assert.strictEqual(batch.status, "success")
      assert.strictEqual(emulator.state.counter("files.patch"), 2 * Math.ceil(content.length / 512))
      assert.deepStrictEqual(retained(emulator, batch.id, "blob.json"), content)
      assert.deepStrictEqual(retained(emulator, batch.id, "stream.json"), content)
    }))

  it.scoped("a ReadableStream that errors surfaces as SourceError and the ingest aborts the batch", () =>
    Effect.gen(function*() {
      const { emulator, layer } = yield* emulatorClient
      const part = encoder.encode(lines(2))
      const error = yield* Ingest.run({
        datasetId: Demo.datasetId,
        inputFormat: { format: "json" },
        files: [FileSource.fromReadableStream("broken.json", readable([part], true), 10_000)]
      }).pipe(Effect.provide(layer), Effect.flip)
      assert.instanceOf(error, FileSource.SourceError)
      const [entry] = [...emulator.state.batches.values()]
      assert.strictEqual(entry?.record.status, "aborted")
    }))

  // On the real clock: the client's retry backoff is a fraction of a second.
  it.scopedLive("a ReadableStream PUT that must be sent again (a 503) fails with SourceError, not a defect; a Blob is resent", () =>
    Effect.gen(function*() {
      const { emulator, layer } = yield* emulatorClient
      const content = encoder.encode(lines(2))
      emulator.state.faults.set({ rules: [{ method: "PUT", path: "/files/", times: 2, fault: { type: "status", status: 503 } }] })
      const { batch, error, blob } = yield* Effect.gen(function*() {
        const batch = yield* Batches.create({ datasetId: Demo.datasetId, inputFormat: { format: "json" } })
        const error = yield* Effect.flip(
          Files.upload(batch.id, Demo.datasetId, FileSource.fromReadableStream("once.json", readable([content]), content.length))
        )
        // The second 503 hits the Blob's first attempt; the retry re-reads the Blob.
        const blob = yield* Files.upload(batch.id, Demo.datasetId, FileSource.fromBlob("blob.json", new Blob([content])))
        return { batch, error, blob }
      }).pipe(Effect.provide(layer))
      assert.instanceOf(error, FileSource.SourceError)
      assert.match((error as FileSource.SourceError).message, /can be read once only/)
      assert.isUndefined(emulator.state.entry(Demo.sandboxName, batch.id)!.files.get("once.json"))
      assert.strictEqual(blob.method, "put")
      assert.deepStrictEqual(retained(emulator, batch.id, "blob.json"), content)
    }))

  it.scoped("Files.upload of a Blob (one PUT)", () =>
    Effect.gen(function*() {
      const { emulator, layer } = yield* emulatorClient
      const content = encoder.encode("id,name\n1,Ada\n")
      const { batch, uploaded } = yield* Effect.gen(function*() {
        const batch = yield* Batches.create({ datasetId: Demo.datasetId, inputFormat: { format: "csv" } })
        const uploaded = yield* Files.upload(batch.id, Demo.datasetId, FileSource.fromBlob("people.csv", new Blob([content])))
        return { batch, uploaded }
      }).pipe(Effect.provide(layer))
      assert.deepStrictEqual(uploaded, { path: "people.csv", size: content.length, method: "put", chunks: 1 })
      assert.deepStrictEqual(retained(emulator, batch.id, "people.csv"), content)
    }))
})
