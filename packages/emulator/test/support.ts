/**
 * Plain-HTTP helpers for the emulator's tests: `fetch` (or `node:http` when a path must reach the
 * server exactly as written) to a running emulator, and assertions that decode every JSON answer
 * with the emulator's own Schemas. Nothing here goes through `@effect-aep/core`, so the emulator
 * cannot share a bug with the client.
 */
import { assert } from "@effect/vitest"
import { Duration, Effect, Schema, TestClock } from "effect"
import { request as httpRequest } from "node:http"
import * as Demo from "../src/Demo.js"
import * as Emulator from "../src/Emulator.js"
import * as Schemas from "../src/Schemas.js"

export const importPath = "/data/foundation/import"
export const catalogPath = "/data/foundation/catalog"
export const exportPath = "/data/foundation/export"

/** The demo credentials and a JSON content type. */
export const headers: Record<string, string> = {
  accept: "application/json",
  "x-gw-ims-org-id": Demo.orgId,
  "x-sandbox-name": Demo.sandboxName,
  authorization: `Bearer ${Demo.accessToken}`,
  "x-api-key": Demo.apiKey,
  "content-type": "application/json"
}

/** The demo credentials for file bytes. */
export const octetHeaders: Record<string, string> = { ...headers, "content-type": "application/octet-stream" }

/** Bytes `fetch` can send (backed by an `ArrayBuffer`, not a shared one). */
export type Bytes = Uint8Array<ArrayBuffer>

export interface Init {
  readonly method?: string
  readonly headers?: Record<string, string>
  readonly body?: string | Bytes
}

export interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly text: string
}

const encoder = new TextEncoder()

export const utf8 = (text: string): Bytes => encoder.encode(text)

/** The emulator's URL for `path`. */
export const urlOf = (path: string) => Effect.map(Emulator.Emulator, ({ url }) => `${url}${path}`)

/** A `fetch` that may fail (connection faults): the Response, or why there is none. */
export const send = (path: string, init: Init = {}) =>
  Effect.flatMap(urlOf(path), (url) =>
    Effect.tryPromise(() =>
      fetch(url, {
        method: init.method ?? "GET",
        headers: init.headers ?? headers,
        ...(init.body === undefined ? {} : { body: init.body })
      })
    ))

/** A request that must get an answer; the body is read whole. */
export const call = (path: string, init: Init = {}): Effect.Effect<Answer, never, Emulator.Emulator> =>
  send(path, init).pipe(
    Effect.flatMap((response) =>
      Effect.map(Effect.tryPromise(() => response.text()), (text) => ({ status: response.status, headers: response.headers, text }))
    ),
    Effect.orDie
  )

/** A request sent by `node:http` with the path exactly as given (`fetch` would resolve `..`). */
export const raw = (method: string, path: string, init: { headers?: Record<string, string>; body?: Uint8Array } = {}) =>
  Effect.flatMap(Emulator.Emulator, ({ port }) =>
    Effect.async<Answer>((resume) => {
      const request = httpRequest(
        // A fresh connection each time: a refused request must not leave bytes for the next one.
        { host: "127.0.0.1", port, method, path, headers: init.headers ?? octetHeaders, agent: false },
        (response) => {
          const chunks: Array<Buffer> = []
          response.on("data", (chunk: Buffer) => chunks.push(chunk))
          response.on("end", () => {
            const answerHeaders = new Headers()
            for (const [name, value] of Object.entries(response.headers)) {
              if (typeof value === "string") answerHeaders.set(name, value)
            }
            resume(Effect.succeed({
              status: response.statusCode ?? 0,
              headers: answerHeaders,
              text: Buffer.concat(chunks).toString("utf8")
            }))
          })
        }
      )
      request.on("error", (error) => resume(Effect.die(error)))
      request.end(init.body)
    }))

/**
 * Decodes with the emulator's Schema, refusing fields the Schema does not name: the parse error
 * (with the path of every problem) fails the test.
 */
export const decode = <A, I>(schema: Schema.Schema<A, I>, value: unknown): A =>
  Schema.decodeUnknownSync(schema, { onExcessProperty: "error", errors: "all" })(value)

/** Asserts the status and a JSON content type, and decodes the body with `schema`. */
export const expectJson = <A, I>(answer: Answer, status: number, schema: Schema.Schema<A, I>): A => {
  assert.strictEqual(answer.status, status, `expected ${status}, got ${answer.status}: ${answer.text}`)
  assert.match(answer.headers.get("content-type") ?? "", /^application\/json/)
  return decode(schema, JSON.parse(answer.text))
}

/** Asserts a problem-form answer with this status (in the body too) and, if given, detail. */
export const expectProblem = (answer: Answer, status: number, detail?: RegExp) => {
  const problem = expectJson(answer, status, Schemas.ProblemError)
  assert.strictEqual(problem.status, status)
  if (detail !== undefined) assert.match(problem.detail, detail)
  return problem
}

/** Asserts a gateway-form answer with this status and `error_code`. */
export const expectGateway = (answer: Answer, status: number, code: string) => {
  const error = expectJson(answer, status, Schemas.GatewayError)
  assert.strictEqual(error.error_code, code)
  return error
}

/** Asserts an answer without a body. */
export const expectEmpty = (answer: Answer, status: number) => {
  assert.strictEqual(answer.status, status, `expected ${status}, got ${answer.status}: ${answer.text}`)
  assert.strictEqual(answer.text, "")
}

// --- batches ---------------------------------------------------------------------------------

/** `POST /batches` into the demo dataset unless `body` names another; answers the batch. */
export const createBatch = (body: Record<string, unknown> = {}, requestHeaders: Record<string, string> = headers) =>
  Effect.map(
    call(`${importPath}/batches`, {
      method: "POST",
      headers: requestHeaders,
      body: JSON.stringify({ datasetId: Demo.datasetId, ...body })
    }),
    (answer) => expectJson(answer, 201, Schemas.Batch)
  )

export const filePath = (batchId: string, name: string, datasetId: string = Demo.datasetId) =>
  `${importPath}/batches/${batchId}/datasets/${datasetId}/files/${name}`

export const putFile = (batchId: string, name: string, bytes: string | Bytes, datasetId?: string) =>
  call(filePath(batchId, name, datasetId), {
    method: "PUT",
    headers: octetHeaders,
    body: typeof bytes === "string" ? utf8(bytes) : bytes
  })

export const signal = (batchId: string, action: string) =>
  call(`${importPath}/batches/${batchId}?action=${action}`, { method: "POST" })

/** `GET /batches/{id}` from the Catalog, checked to be keyed by that id alone. */
export const getBatch = (batchId: string, query = "") =>
  Effect.map(call(`${catalogPath}/batches/${batchId}${query}`), (answer) => {
    const byId = expectJson(answer, 200, Schemas.BatchesById)
    assert.deepStrictEqual(Object.keys(byId), [batchId])
    return byId[batchId]!
  })

/** Moves the test clock past the emulator's processing delay. */
export const settle = Effect.flatMap(Emulator.Emulator, ({ state }) => TestClock.adjust(Duration.millis(state.processingDelayMillis)))

/**
 * Creates a batch with `options`, uploads `files` with PUT, completes it, lets processing finish
 * and answers the batch as the Catalog shows it.
 */
export const ingest = (options: Record<string, unknown>, files: Record<string, string | Bytes>) =>
  Effect.gen(function*() {
    const batch = yield* createBatch(options)
    for (const [name, bytes] of Object.entries(files)) {
      const put = yield* putFile(batch.id, name, bytes)
      expectEmpty(put, 201)
    }
    expectEmpty(yield* signal(batch.id, "COMPLETE"), 200)
    yield* settle
    return yield* getBatch(batch.id)
  })

/** Forgets everything through the control API. */
export const reset = Effect.map(call("/__emulator/reset", { method: "POST" }), (answer) => expectEmpty(answer, 204))

export const counters = Effect.map(call("/__emulator/counters"), (answer) => expectJson(answer, 200, Schemas.Counters))

/** Sets fault rules through the control API. */
export const setFaults = (plan: unknown) =>
  Effect.map(
    call("/__emulator/faults", { method: "POST", body: JSON.stringify(plan) }),
    (answer) => expectJson(answer, 200, Schemas.FaultRules)
  )

/** A real pause, for waiting on the server while the test clock stands still. */
export const realPause = (millis: number) => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, millis)))

// --- Parquet ---------------------------------------------------------------------------------

const varint = (value: bigint): Array<number> => {
  const out: Array<number> = []
  let rest = value
  while (rest >= 0x80n) {
    out.push(Number(rest & 0x7fn) | 0x80)
    rest >>= 7n
  }
  out.push(Number(rest))
  return out
}

const zigzag = (value: bigint): bigint => (value << 1n) ^ (value >> 63n)

/**
 * The smallest Parquet file the emulator reads: `PAR1`, some column bytes, a Thrift-compact
 * FileMetaData (version, a one-element schema list, `num_rows`, an empty row-group list), its
 * 4-byte little-endian length and `PAR1`. Fields before `num_rows` make the reader skip values.
 */
export const parquet = (rows: number): Bytes => {
  const name = utf8("schema")
  const footer = [
    0x15, ...varint(zigzag(1n)), // field 1, i32 version
    0x19, 0x1c, // field 2, list of one struct
    0x48, ...varint(BigInt(name.length)), ...name, 0x00, // SchemaElement { 4: name }
    0x16, ...varint(zigzag(BigInt(rows))), // field 3, i64 num_rows
    0x19, 0x0c, // field 4, empty list of structs
    0x00
  ]
  const length = footer.length
  return Uint8Array.from([
    ...utf8("PAR1"),
    ...utf8("column chunk bytes"),
    ...footer,
    length & 0xff,
    (length >> 8) & 0xff,
    (length >> 16) & 0xff,
    (length >> 24) & 0xff,
    ...utf8("PAR1")
  ])
}
