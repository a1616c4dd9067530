import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Demo from "../src/Demo.js"
import * as Emulator from "../src/Emulator.js"
import * as Schemas from "../src/Schemas.js"
import {
  type Bytes,
  call,
  createBatch,
  expectEmpty,
  expectJson,
  expectProblem,
  filePath,
  getBatch,
  headers,
  octetHeaders,
  putFile,
  raw,
  settle,
  signal,
  utf8
} from "./support.js"

const json = { inputFormat: { format: "json" } }

const lines = (count: number, from = 0) =>
  Array.from({ length: count }, (_, i) => JSON.stringify({ id: from + i })).join("\n") + "\n"

const initialize = (batchId: string, name: string) => call(`${filePath(batchId, name)}?action=INITIALIZE`, { method: "POST" })

const completeFile = (batchId: string, name: string) => call(`${filePath(batchId, name)}?action=COMPLETE`, { method: "POST" })

const patch = (batchId: string, name: string, bytes: Bytes, start: number, end = start + bytes.length - 1) =>
  call(filePath(batchId, name), {
    method: "PATCH",
    headers: { ...octetHeaders, "content-range": `bytes ${start}-${end}` },
    body: bytes
  })

const head = (batchId: string, name: string) => call(filePath(batchId, name), { method: "HEAD" })

const expectChunk = (answer: Parameters<typeof expectJson>[0], name: string, size: number) =>
  assert.deepStrictEqual(expectJson(answer, 200, Schemas.File), { name, sizeInBytes: size })

describe("FileUpload", () => {
  it.layer(Emulator.layer({ processingDelayMillis: 10 }))((it) => {
    it.effect("PUT takes octet-stream only: another content type is 415 and stores nothing", () =>
      Effect.gen(function*() {
        const batch = yield* createBatch(json)
        for (const contentType of ["application/json", "text/plain", "multipart/form-data; boundary=x"]) {
          const answer = yield* call(filePath(batch.id, "a.json"), {
            method: "PUT",
            headers: { ...headers, "content-type": contentType },
            body: lines(1)
          })
          expectProblem(answer, 415, /octet-stream/)
        }
        assert.strictEqual((yield* head(batch.id, "a.json")).status, 404)
        expectEmpty(yield* putFile(batch.id, "a.json", lines(1)), 201)
      }))

    it.effect("PUT answers 201, then 200 when it replaces the file, and the replacement is what is ingested", () =>
      Effect.gen(function*() {
        const batch = yield* createBatch(json)
        expectEmpty(yield* putFile(batch.id, "a.json", lines(1)), 201)
        const replacement = lines(3)
        expectEmpty(yield* putFile(batch.id, "a.json", replacement), 200)
        assert.strictEqual((yield* head(batch.id, "a.json")).headers.get("range"), `bytes=0-${utf8(replacement).length - 1}`)
        expectEmpty(yield* signal(batch.id, "COMPLETE"), 200)
        yield* settle
        const done = yield* getBatch(batch.id)
        assert.strictEqual(done.recordCount, 3)
        assert.strictEqual(done.metrics?.inputFileCount, 1)
        assert.strictEqual(done.size, utf8(replacement).length)
      }))

    it.effect("PUT refuses an unknown batch or dataset (404), another batch's dataset, and a batch no longer loading", () =>
      Effect.gen(function*() {
        const batch = yield* createBatch(json)
        expectProblem(yield* putFile("f".repeat(32), "a.json", lines(1)), 404, /Batch f+ was not found/)
        expectProblem(yield* putFile(batch.id, "a.json", lines(1), "000000000000000000000000"), 404, /Dataset 0+ was not found/)
        const other = expectJson(
          yield* call("/__emulator/datasets", { method: "POST", body: JSON.stringify({ name: "Other" }) }),
          201,
          Schemas.ControlDataset
        )
        expectProblem(yield* putFile(batch.id, "a.json", lines(1), other.id), 400, /belongs to dataset/)
        expectEmpty(yield* putFile(batch.id, "a.json", lines(1)), 201)
        expectEmpty(yield* signal(batch.id, "COMPLETE"), 200)
        expectProblem(yield* putFile(batch.id, "b.json", lines(1)), 400, /staging/)
        assert.strictEqual((yield* head(batch.id, "b.json")).status, 404)
      }))

    it.effect("keeps directories and decodes percent-encoded names", () =>
      Effect.gen(function*() {
        const batch = yield* createBatch(json)
        expectEmpty(yield* putFile(batch.id, "part1=a/part2=b/my%20file.json", lines(2)), 201)
        // The same name, encoded differently, is the same file.
        expectEmpty(yield* putFile(batch.id, "part1%3Da/part2=b/my%20file.json", lines(2)), 200)
        expectEmpty(yield* initialize(batch.id, "dir/big%20one.json"), 201)
        const bytes = utf8(lines(1))
        expectChunk(yield* patch(batch.id, "dir/big%20one.json", bytes, 0), "dir/big one.json", bytes.length)
      }))

    it.effect("uploads a large file in chunks sent out of order; HEAD answers the ranges received; COMPLETE answers the file", () =>
      Effect.gen(function*() {
        const batch = yield* createBatch(json)
        const bytes = utf8(lines(60))
        const name = "big.json"
        const last = bytes.length - 1
        expectEmpty(yield* initialize(batch.id, name), 201)
        assert.strictEqual((yield* head(batch.id, name)).status, 200)
        // Cut mid-line, so that records span chunks, and sent out of order.
        const steps: Array<readonly [number, number, string]> = [
          [151, 298, "bytes=151-298"],
          [0, 36, "bytes=0-36,151-298"],
          [299, last, `bytes=0-36,151-${last}`],
          [150, 150, `bytes=0-36,150-${last}`],
          [37, 149, `bytes=0-${last}`]
        ]
        for (const [start, end, ranges] of steps) {
          expectChunk(yield* patch(batch.id, name, bytes.subarray(start, end + 1), start), name, end - start + 1)
          assert.strictEqual((yield* head(batch.id, name)).headers.get("range"), ranges)
        }
        const head200 = yield* head(batch.id, name)
        assert.strictEqual(head200.status, 200)
        assert.strictEqual(head200.headers.get("range"), `bytes=0-${bytes.length - 1}`)
        assert.deepStrictEqual(
          expectJson(yield* completeFile(batch.id, name), 201, Schemas.File),
          { name, sizeInBytes: bytes.length }
        )
        // COMPLETE of the file is safe to retry; the file takes no more chunks.
        assert.deepStrictEqual(
          expectJson(yield* completeFile(batch.id, name), 201, Schemas.File),
          { name, sizeInBytes: bytes.length }
        )
        expectProblem(yield* patch(batch.id, name, bytes.subarray(0, 1), 0), 400, /already complete/)

        expectEmpty(yield* signal(batch.id, "COMPLETE"), 200)
        yield* settle
        const done = yield* getBatch(batch.id)
        assert.strictEqual(done.status, "success")
        assert.strictEqual(done.recordCount, 60)
        assert.strictEqual(done.size, bytes.length)
      }))

    it.effect("accepts a resent chunk, and refuses overlapping or missing chunks at COMPLETE", () =>
      Effect.gen(function*() {
        const batch = yield* createBatch(json)
        const bytes = utf8(lines(4))

        expectEmpty(yield* initialize(batch.id, "retried.json"), 201)
        expectChunk(yield* patch(batch.id, "retried.json", bytes.subarray(0, 10), 0), "retried.json", 10)
        expectChunk(yield* patch(batch.id, "retried.json", bytes.subarray(0, 10), 0), "retried.json", 10)
        expectChunk(yield* patch(batch.id, "retried.json", bytes.subarray(10), 10), "retried.json", bytes.length - 10)
        expectJson(yield* completeFile(batch.id, "retried.json"), 201, Schemas.File)

        expectEmpty(yield* initialize(batch.id, "overlap.json"), 201)
        expectChunk(yield* patch(batch.id, "overlap.json", bytes.subarray(0, 10), 0), "overlap.json", 10)
        // Accepted when it arrives: only COMPLETE knows the file cannot be whole.
        expectChunk(yield* patch(batch.id, "overlap.json", bytes.subarray(5), 5), "overlap.json", bytes.length - 5)
        expectProblem(yield* completeFile(batch.id, "overlap.json"), 400, /overlapping/)

        expectEmpty(yield* initialize(batch.id, "gap.json"), 201)
        expectChunk(yield* patch(batch.id, "gap.json", bytes.subarray(0, 10), 0), "gap.json", 10)
        expectChunk(yield* patch(batch.id, "gap.json", bytes.subarray(20), 20), "gap.json", bytes.length - 20)
        expectProblem(yield* completeFile(batch.id, "gap.json"), 400, /missing bytes 10-19/)

        expectEmpty(yield* initialize(batch.id, "no-start.json"), 201)
        expectChunk(yield* patch(batch.id, "no-start.json", bytes.subarray(10), 10), "no-start.json", bytes.length - 10)
        expectProblem(yield* completeFile(batch.id, "no-start.json"), 400, /missing bytes 0-9/)

        // The batch cannot complete while those files are open; INITIALIZE again starts a file afresh.
        expectProblem(yield* signal(batch.id, "COMPLETE"), 400, /not completed/)
        for (const name of ["overlap.json", "gap.json", "no-start.json"]) {
          expectEmpty(yield* initialize(batch.id, name), 201)
          expectChunk(yield* patch(batch.id, name, bytes, 0), name, bytes.length)
          expectJson(yield* completeFile(batch.id, name), 201, Schemas.File)
        }
        expectEmpty(yield* signal(batch.id, "COMPLETE"), 200)
        yield* settle
        assert.strictEqual((yield* getBatch(batch.id)).recordCount, 16)
      }))

    it.effect("refuses chunks without INITIALIZE, without octet-stream, or with a wrong Content-Range", () =>
      Effect.gen(function*() {
        const batch = yield* createBatch(json)
        const bytes = utf8("0123456789")
        expectProblem(yield* patch(batch.id, "x.json", bytes, 0), 400, /not initialized/)
        expectProblem(yield* completeFile(batch.id, "x.json"), 400, /not initialized/)
        expectEmpty(yield* initialize(batch.id, "x.json"), 201)
        const withRange = (range: string | undefined, contentType = "application/octet-stream") =>
          call(filePath(batch.id, "x.json"), {
            method: "PATCH",
            headers: {
              ...headers,
              "content-type": contentType,
              ...(range === undefined ? {} : { "content-range": range })
            },
            body: bytes
          })
        expectProblem(yield* withRange("bytes 0-9", "application/json"), 415, /octet-stream/)
        for (const range of [undefined, "0-9", "bytes 9-0", "bytes a-b", "items 0-9"]) {
          expectProblem(yield* withRange(range), 400, /Content-Range/)
        }
        expectProblem(yield* withRange("bytes 0-4"), 400, /announces 5 bytes, the body has 10/)
        expectChunk(yield* withRange("bytes 0-9/10"), "x.json", 10)
        expectProblem(yield* call(`${filePath(batch.id, "x.json")}?action=REPLACE`, { method: "POST" }), 400, /INITIALIZE or COMPLETE/)
        assert.strictEqual((yield* head(batch.id, "missing.json")).status, 404)
      }))

    it.effect("refuses file paths with '..', '.', their encodings, or empty segments, for every file method", () =>
      Effect.gen(function*() {
        const batch = yield* createBatch(json)
        const base = `/data/foundation/import/batches/${batch.id}/datasets/${Demo.datasetId}/files/`
        const paths = [
          "../escape.json",
          "a/../../escape.json",
          "a/..",
          "./a.json",
          "a/./b.json",
          "%2e%2e/escape.json",
          "%2E%2E/escape.json",
          ".%2e/escape.json",
          "a/%2e/b.json",
          "a//b.json",
          "a/",
          "/a.json",
          "a%2Fb.json"
        ]
        for (const path of paths) {
          for (const [method, suffix, extra] of [
            ["PUT", "", {}],
            ["POST", "?action=INITIALIZE", {}],
            ["PATCH", "", { "content-range": "bytes 0-1" }],
            ["HEAD", "", {}]
          ] as const) {
            const answer = yield* raw(method, `${base}${path}${suffix}`, {
              headers: { ...octetHeaders, ...extra },
              ...(method === "HEAD" ? {} : { body: utf8("{}") })
            })
            assert.strictEqual(answer.status, 400, `${method} ${path}: ${answer.status} ${answer.text}`)
            if (method !== "HEAD") expectProblem(answer, 400)
          }
        }
        // An empty file path, or broken percent-encoding, does not even reach the endpoint.
        for (const path of ["", "%zz.json"]) {
          const answer = yield* raw("PUT", `${base}${path}`, { body: utf8("{}") })
          assert.include([400, 404], answer.status, `PUT '${path}': ${answer.text}`)
          expectProblem(answer, answer.status)
        }
        // Nothing was stored: the batch completes without files.
        expectEmpty(yield* signal(batch.id, "COMPLETE"), 200)
        yield* settle
        const done = yield* getBatch(batch.id)
        assert.strictEqual(done.metrics?.inputFileCount, 0)
        assert.deepStrictEqual(done.errors?.map((error) => error.code), ["106"])
      }))
  })
})
