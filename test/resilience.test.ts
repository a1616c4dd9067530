/**
 * What the client does with a hostile or broken other side, through both runtime adapters:
 * redirects are not followed (credentials would travel to wherever they point), answers are read
 * only up to a bound (a huge or endless body cannot exhaust memory), spans show header values
 * from an allow-list only, and every public entry point refuses malformed input before any I/O.
 */
import { AepClient, Batches, Diagnostics, Files, Ingest, RetryPolicy } from "@effect-aep/core"
import type { AepError, AepHttpError } from "@effect-aep/core"
import { AepEdge } from "@effect-aep/edge"
import { Demo, Emulator } from "@effect-aep/emulator"
import { AepNode } from "@effect-aep/node"
import * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Option, Stream, Tracer } from "effect"
import type { ConfigError } from "effect"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

const accessToken = "resilience-TOKEN-7c1e"
const apiKey = "resilience-KEY-93ab"
const orgId = "RESILIENCE00000000000000@AdobeOrg"
const batchId = "5d01230fc78a4e4f8c0c6b387b4b8d1c"
const datasetId = Demo.datasetId

/** A request as a test server saw it. */
interface Seen {
  readonly method: string
  readonly url: string
  readonly headers: IncomingMessage["headers"]
}

/** A plain `node:http` server on a free loopback port, closed with the scope. */
const serve = (handler: (request: IncomingMessage, response: ServerResponse) => void) =>
  Effect.acquireRelease(
    Effect.async<{ readonly url: string; readonly server: Server; readonly seen: Array<Seen> }>((resume) => {
      const seen: Array<Seen> = []
      const server = createServer((request, response) => {
        seen.push({ method: request.method ?? "", url: request.url ?? "", headers: request.headers })
        handler(request, response)
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({ url: `http://127.0.0.1:${port}`, server, seen }))
      })
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )

type Options = AepClient.Options

const adapters: ReadonlyArray<{ readonly name: string; readonly layer: (options: Options) => Layer.Layer<AepClient.AepClient, ConfigError.ConfigError> }> = [
  { name: "Node adapter (undici)", layer: AepNode.layer },
  { name: "AepEdge.layer (fetch)", layer: AepEdge.layer }
]

// Few attempts with short real-time delays: these tests run on the real clock.
const quick = RetryPolicy.layer({
  request: RetryPolicy.make({ baseDelay: "1 millis", throttledBaseDelay: "1 millis", attemptTimeout: "10 seconds" }),
  upload: RetryPolicy.make({ baseDelay: "1 millis", throttledBaseDelay: "1 millis", attemptTimeout: "10 seconds" })
})

const clientFor = (adapter: (typeof adapters)[number], options: Partial<Options> & { readonly platformUrl: string }) =>
  adapter.layer({ orgId, apiKey, accessToken, ...options } as Options).pipe(Layer.provide(quick), Layer.orDie)

/** The typed failure of `exit`, which must be one (not a success, not a defect). */
const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) return assert.fail(`expected a failure, got ${String(exit.value)}`)
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure)) return assert.fail(`expected a typed failure, got ${Cause.pretty(exit.cause)}`)
  return failure.value
}

const keyedBatch = JSON.stringify({
  [batchId]: { status: "loading", created: 1, updated: 1, relatedObjects: [{ type: "dataSet", id: datasetId }] }
})

describe("redirects to another origin are not followed", () => {
  for (const adapter of adapters) {
    describe(adapter.name, () => {
      const operations: ReadonlyArray<{ readonly name: string; readonly run: Effect.Effect<unknown, AepError.AepError, AepClient.AepClient> }> = [
        { name: "Batches.get (GET)", run: Batches.get(batchId) },
        { name: "Batches.create (POST)", run: Batches.create({ datasetId, inputFormat: { format: "json" } }) },
        { name: "Files.upload (PUT)", run: Files.upload(batchId, datasetId, Files.fromBytes("people.json", new TextEncoder().encode("{}\n"))) }
      ]
      for (const status of [301, 302, 303, 307, 308]) {
        for (const operation of operations) {
          it.scopedLive(`${status} on ${operation.name}: an AepHttpError, and the other origin sees nothing`, () =>
            Effect.gen(function*() {
              // The other origin answers like AEP would, so a followed redirect would succeed.
              const other = yield* serve((request, response) => {
                request.resume()
                response.writeHead(200, { "content-type": "application/json" }).end(keyedBatch)
              })
              const platform = yield* serve((request, response) => {
                request.resume()
                response.writeHead(status, { location: `${other.url}${request.url}` }).end()
              })
              const exit = yield* Effect.exit(operation.run.pipe(Effect.provide(clientFor(adapter, { platformUrl: platform.url }))))
              const error = failureOf(exit) as AepHttpError
              assert.strictEqual(error._tag, "AepHttpError")
              assert.strictEqual(error.status, status)
              assert.strictEqual(platform.seen.length, 1, "a redirect is final: not retried")
              assert.strictEqual(platform.seen[0]?.headers.authorization, `Bearer ${accessToken}`)
              assert.deepStrictEqual(other.seen.filter((seen) => seen.headers.authorization !== undefined), [])
              assert.deepStrictEqual(other.seen, [], "the other origin got no request at all")
            }))
        }
      }

      it.scopedLive("a redirect from IMS: the client secret is not sent on, the exchange fails with AepAuthError", () =>
        Effect.gen(function*() {
          const other = yield* serve((request, response) => {
            request.resume()
            response.writeHead(200, { "content-type": "application/json" }).end(
              JSON.stringify({ access_token: "stolen", token_type: "bearer", expires_in: 86399 })
            )
          })
          const ims = yield* serve((request, response) => {
            request.resume()
            response.writeHead(307, { location: `${other.url}${request.url}` }).end()
          })
          const layer = adapter.layer({
            orgId,
            apiKey,
            clientSecret: "resilience-SECRET-55d0",
            imsUrl: ims.url,
            platformUrl: other.url
          }).pipe(Layer.provide(quick), Layer.orDie)
          const error = failureOf(yield* Effect.exit(Batches.get(batchId).pipe(Effect.provide(layer))))
          assert.strictEqual(error._tag, "AepAuthError")
          assert.strictEqual(ims.seen.length, 1)
          assert.deepStrictEqual(other.seen, [], "neither the secret nor a token reached the other origin")
        }))
    })
  }
})

/** Peak growth of heap + array buffers while `effect` runs, sampled every few milliseconds. */
const peakMemory = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const used = () => {
      const usage = process.memoryUsage()
      return usage.heapUsed + usage.arrayBuffers
    }
    const baseline = used()
    let peak = baseline
    const timer = setInterval(() => (peak = Math.max(peak, used())), 2)
    const exit = yield* Effect.exit(effect).pipe(Effect.ensuring(Effect.sync(() => clearInterval(timer))))
    return { exit, growth: Math.max(peak, used()) - baseline }
  })

const MiB = 1024 * 1024

/**
 * A server whose answer is `status` with a body of `total` bytes (Infinity: endless, chunked),
 * written as fast as the client reads. `written` counts what went out before the client left.
 */
const flooding = (status: number, total: number) =>
  Effect.gen(function*() {
    const stats = { written: 0, requests: 0, closedEarly: false, finished: false }
    const chunk = Buffer.alloc(64 * 1024, "a")
    const server = yield* serve((request, response) => {
      request.resume()
      stats.requests++
      response.writeHead(status, {
        "content-type": "application/json",
        ...(Number.isFinite(total) ? { "content-length": String(total) } : {})
      })
      response.on("close", () => {
        if (!response.writableFinished) stats.closedEarly = true
      })
      response.on("finish", () => (stats.finished = true))
      const pump = () => {
        while (!response.destroyed) {
          if (stats.written >= total) return void response.end()
          const piece = chunk.subarray(0, Math.min(chunk.length, total - stats.written))
          stats.written += piece.length
          if (!response.write(piece)) return void response.once("drain", pump)
        }
      }
      pump()
    })
    // The server hears of the hang-up a moment after the client is done.
    const hungUp = Effect.gen(function*() {
      for (let i = 0; i < 200 && !stats.closedEarly && !stats.finished; i++) yield* Effect.sleep("10 millis")
      return stats.closedEarly
    })
    return { url: server.url, stats, hungUp }
  })

describe("bounded reads: a huge or endless answer cannot exhaust memory", () => {
  for (const adapter of adapters) {
    describe(adapter.name, () => {
      it.scopedLive("an endless error body: AepHttpError with the text cut short, each attempt stops reading", () =>
        Effect.gen(function*() {
          const server = yield* flooding(500, Number.POSITIVE_INFINITY)
          const { exit, growth } = yield* peakMemory(Batches.get(batchId).pipe(Effect.provide(clientFor(adapter, { platformUrl: server.url }))))
          const error = failureOf(exit) as AepHttpError
          assert.strictEqual(error._tag, "AepHttpError")
          assert.strictEqual(error.status, 500)
          assert.strictEqual(error.attempts, 3)
          assert.isBelow(error.detail.length, 1100)
          assert.strictEqual(server.stats.requests, 3)
          assert.isTrue(yield* server.hungUp, "the client hung up")
          // 64 KB read per attempt; the rest is what socket buffers took before the client left.
          assert.isBelow(server.stats.written, 3 * 16 * MiB)
          assert.isBelow(growth, 64 * MiB, `memory grew by ${Math.round(growth / MiB)} MiB`)
        }), 30_000)

      it.scopedLive("a 100 MB error body: AepHttpError, read no further than the bound", () =>
        Effect.gen(function*() {
          const server = yield* flooding(400, 100 * MiB)
          const { exit, growth } = yield* peakMemory(Batches.get(batchId).pipe(Effect.provide(clientFor(adapter, { platformUrl: server.url }))))
          const error = failureOf(exit) as AepHttpError
          assert.strictEqual(error._tag, "AepHttpError")
          assert.strictEqual(error.status, 400)
          assert.isTrue(yield* server.hungUp, "the client hung up before the end")
          assert.isBelow(server.stats.written, 16 * MiB)
          assert.isBelow(growth, 64 * MiB, `memory grew by ${Math.round(growth / MiB)} MiB`)
        }), 30_000)

      it.scopedLive("an endless answer from IMS: AepAuthError, memory bounded", () =>
        Effect.gen(function*() {
          const ims = yield* flooding(200, Number.POSITIVE_INFINITY)
          const layer = adapter.layer({ orgId, apiKey, clientSecret: "resilience-SECRET-55d0", imsUrl: ims.url, platformUrl: ims.url }).pipe(
            Layer.provide(quick),
            Layer.orDie
          )
          const { exit, growth } = yield* peakMemory(Batches.get(batchId).pipe(Effect.provide(layer)))
          const error = failureOf(exit) as { readonly _tag: string; readonly error: string }
          assert.strictEqual(error._tag, "AepAuthError")
          assert.strictEqual(error.error, "invalid_response")
          assert.strictEqual(ims.stats.requests, 1, "not retried")
          assert.isTrue(yield* ims.hungUp, "the client hung up")
          assert.isBelow(ims.stats.written, 16 * MiB)
          assert.isBelow(growth, 64 * MiB, `memory grew by ${Math.round(growth / MiB)} MiB`)
        }), 30_000)

      for (const [name, total] of [["a 100 MB", 100 * MiB], ["an endless", Number.POSITIVE_INFINITY]] as const) {
        it.scopedLive(`${name} 2xx JSON answer: AepDecodeError past 16 MB, memory bounded`, () =>
          Effect.gen(function*() {
            const server = yield* flooding(200, total)
            const { exit, growth } = yield* peakMemory(Batches.get(batchId).pipe(Effect.provide(clientFor(adapter, { platformUrl: server.url }))))
            const error = failureOf(exit)
            assert.strictEqual(error._tag, "AepDecodeError")
            assert.include(error.message, "larger than 16777216 bytes")
            assert.strictEqual(server.stats.requests, 1, "a decode error is final")
            assert.isTrue(yield* server.hungUp, "the client hung up before the end")
            assert.isBelow(server.stats.written, 48 * MiB)
            // The 16 MB read and its copy, not the whole answer.
            assert.isBelow(growth, 96 * MiB, `memory grew by ${Math.round(growth / MiB)} MiB`)
          }), 30_000)
      }
    })
  }
})

/** A tracer that keeps every span it creates. */
const captureTracer = (spans: Array<Tracer.Span>, native: Tracer.Tracer) =>
  Tracer.make({
    span: (...args) => {
      const span = native.span(...args)
      spans.push(span)
      return span
    },
    context: (f, fiber) => native.context(f, fiber)
  })

// The header names whose values spans may show (AepClient's allow-list).
const allowed = new Set([
  "x-request-id",
  "content-type",
  "content-length",
  "content-range",
  "range",
  "retry-after",
  "user-agent",
  "accept",
  "traceparent",
  "tracestate",
  "b3"
])
const isAllowed = (name: string) => allowed.has(name) || /^x-b3-[a-z]+$/.test(name)

describe("spans show header values from the allow-list only", () => {
  for (const adapter of adapters) {
    it.scopedLive(`${adapter.name}: Authorization, API key, org id and sandbox redacted; user agent and request id shown`, () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.start({ orgId, apiKey, accessToken })
        const spans: Array<Tracer.Span> = []
        const native = yield* Effect.tracer
        yield* Effect.gen(function*() {
          const batch = yield* Batches.create({ datasetId, inputFormat: { format: "json" } })
          yield* Files.upload(batch.id, datasetId, Files.fromBytes("people.json", new TextEncoder().encode("{\"a\":1}\n")))
          yield* Batches.get(batch.id)
          yield* Batches.get("0000000000000000000000000000dead").pipe(Effect.ignore)
        }).pipe(
          Effect.provide(clientFor(adapter, { platformUrl: emulator.url })),
          Effect.withTracer(captureTracer(spans, native))
        )

        const headers = spans.flatMap((span) =>
          [...span.attributes].filter(([key]) => /^http\.(request|response)\.header\./.test(key)).map(([key, value]) => ({
            span: span.name,
            direction: key.startsWith("http.request") ? "request" : "response",
            name: key.replace(/^http\.(request|response)\.header\./, ""),
            value: String(value)
          }))
        )
        const requestValues = (name: string) => headers.filter((h) => h.direction === "request" && h.name === name).map((h) => h.value)
        // Four requests: create, upload, two reads.
        assert.lengthOf(requestValues("authorization"), 4)
        for (const secret of ["authorization", "x-api-key", "x-gw-ims-org-id", "x-sandbox-name"]) {
          assert.isNotEmpty(requestValues(secret), secret)
          for (const value of requestValues(secret)) assert.strictEqual(value, "<redacted>", secret)
        }
        assert.deepStrictEqual([...new Set(requestValues("user-agent"))], ["effect-aep/0.1.0"])
        assert.deepStrictEqual([...new Set(requestValues("content-type"))].sort(), ["application/json", "application/octet-stream"])
        const requestIds = headers.filter((h) => h.direction === "response" && h.name === "x-request-id").map((h) => h.value)
        assert.lengthOf(requestIds, 4)
        for (const id of requestIds) assert.match(id, /^[0-9a-f-]{36}$/)
        // Whatever else a header is called, its value is hidden.
        for (const header of headers) {
          if (!isAllowed(header.name)) assert.strictEqual(header.value, "<redacted>", `${header.direction} header ${header.name}`)
        }
        // And no attribute anywhere carries a credential.
        for (const span of spans) {
          for (const [key, value] of span.attributes) {
            for (const secret of [accessToken, apiKey, orgId]) {
              assert.notInclude(String(value), secret, `${span.name} ${key}`)
            }
          }
        }
      }))
  }
})

describe("malformed input is refused with AepValidationError before any I/O", () => {
  const sent: Array<string> = []
  const noNetwork = HttpClient.make((request) => {
    sent.push(`${request.method} ${request.url}`)
    return Effect.dieMessage("no request may be sent")
  })
  const layer = AepClient.layerWith({ orgId, apiKey, accessToken }).pipe(
    Layer.provide(Layer.succeed(HttpClient.HttpClient, noNetwork)),
    Layer.orDie
  )
  const bytes = new TextEncoder().encode("{}\n")
  const badIds = ["", "../x", "a/b", "a?b", "a#b", "a%2Fb", "x".repeat(257), "bätch"]
  const fileOf = (path: string, size = bytes.length) => ({ path, size, stream: Stream.succeed(bytes) })

  const cases: ReadonlyArray<readonly [string, Effect.Effect<unknown, unknown, AepClient.AepClient>, string]> = [
    ...badIds.flatMap((id) => [
      [`Batches.create datasetId ${JSON.stringify(id)}`, Batches.create({ datasetId: id }), "datasetId"] as const,
      [`Batches.get ${JSON.stringify(id)}`, Batches.get(id), "batchId"] as const,
      [`Batches.complete ${JSON.stringify(id)}`, Batches.complete(id), "batchId"] as const,
      [`Batches.abort ${JSON.stringify(id)}`, Batches.abort(id), "batchId"] as const,
      [`Batches.fail ${JSON.stringify(id)}`, Batches.fail(id), "batchId"] as const,
      [`Batches.revert ${JSON.stringify(id)}`, Batches.revert(id), "batchId"] as const,
      [`Batches.awaitCompletion ${JSON.stringify(id)}`, Batches.awaitCompletion(id), "batchId"] as const,
      [`Files.upload batchId ${JSON.stringify(id)}`, Files.upload(id, datasetId, fileOf("a.json")), "batchId"] as const,
      [`Files.upload datasetId ${JSON.stringify(id)}`, Files.upload(batchId, id, fileOf("a.json")), "datasetId"] as const,
      [`Diagnostics.failedFiles ${JSON.stringify(id)}`, Diagnostics.failedFiles(id), "batchId"] as const,
      [`Diagnostics.downloadFailedFile ${JSON.stringify(id)}`, Diagnostics.downloadFailedFile(id, "a.json"), "batchId"] as const,
      [`Diagnostics.rowErrors ${JSON.stringify(id)}`, Diagnostics.rowErrors(id), "batchId"] as const,
      [`Diagnostics.get ${JSON.stringify(id)}`, Diagnostics.get(id), "batchId"] as const,
      [`Batches.list datasetId ${JSON.stringify(id)}`, Stream.runDrain(Batches.list({ datasetId: id })), "datasetId"] as const
    ]),
    // Percentages
    ...[101, -1, Number.NaN, Number.POSITIVE_INFINITY].map((p) =>
      [`Batches.create partialIngestionPercentage ${p}`, Batches.create({ datasetId, partialIngestionPercentage: p }), "partialIngestionPercentage"] as const
    ),
    ["Ingest.run partialIngestionPercentage 150", Ingest.run({ datasetId, partialIngestionPercentage: 150, files: [fileOf("a.json")] }), "partialIngestionPercentage"],
    // Other create options
    ["Batches.create format xml", Batches.create({ datasetId, inputFormat: { format: "xml" } }), "inputFormat.format"],
    ["Batches.create CSV option on JSON", Batches.create({ datasetId, inputFormat: { format: "json", delimiter: ";" } }), "inputFormat.delimiter"],
    ["Batches.create empty externalId", Batches.create({ datasetId, externalId: "" }), "externalId"],
    ["Batches.create unknown option", Batches.create({ datasetId, bogus: 1 } as never), "bogus"],
    ["Batches.create replay without predecessors", Batches.create({ datasetId, replay: { predecessors: [] as never, reason: "x" } }), "replay.predecessors"],
    // Paths
    ...["", "../etc/passwd", "a/../b", "%2e%2e/x", "a//b", "/abs.json", "dir/", "a\\b.json", "a\u0000b", "x".repeat(1025)].map((path) =>
      [`Files.upload path ${JSON.stringify(path.slice(0, 20))}`, Files.upload(batchId, datasetId, fileOf(path)), "path"] as const
    ),
    ["Ingest.run path ../x", Ingest.run({ datasetId, files: [fileOf("../x.json")] }), "files[0].path"],
    ["Ingest.run the same path twice", Ingest.run({ datasetId, files: [fileOf("a.json"), fileOf("a.json")] }), "files[1].path"],
    // Sizes
    ...[-1, 1.5, Number.NaN, 100 * 1024 ** 3 + 1].map((size) =>
      [`Files.upload size ${size}`, Files.upload(batchId, datasetId, fileOf("a.json", size)), "size"] as const
    ),
    ["Files.upload largeFileThreshold 0", Files.upload(batchId, datasetId, fileOf("a.json"), { largeFileThreshold: 0 }), "largeFileThreshold"],
    ["Files.upload largeFileThreshold 512 MB", Files.upload(batchId, datasetId, fileOf("a.json"), { largeFileThreshold: 512 * 1024 ** 2 }), "largeFileThreshold"],
    ["Files.upload chunkSize 0", Files.upload(batchId, datasetId, fileOf("a.json"), { chunkSize: 0 }), "chunkSize"],
    ["Ingest.run size -1", Ingest.run({ datasetId, files: [fileOf("a.json", -1)] }), "files[0].size"],
    ["Ingest.run concurrency 0", Ingest.run({ datasetId, files: [fileOf("a.json")], concurrency: 0 }), "concurrency"],
    ["Ingest.run concurrency 33", Ingest.run({ datasetId, files: [fileOf("a.json")], concurrency: 33 }), "concurrency"],
    // Empty file lists
    ["Ingest.run no files", Ingest.run({ datasetId, files: [] }), "files"],
    ["Ingest.stream no files", Stream.runDrain(Ingest.stream({ datasetId, files: [] })), "files"],
    ["Ingest.run 1501 files", Ingest.run({ datasetId, files: Array.from({ length: 1501 }, (_, i) => fileOf(`f${i}.json`)) }), "files"],
    // Listing filters
    ...[0, 101, 1.5].map((pageSize) =>
      [`Batches.list pageSize ${pageSize}`, Stream.runDrain(Batches.list({ pageSize })), "pageSize"] as const
    ),
    ["Batches.list status bogus", Stream.runDrain(Batches.list({ status: "bogus" as never })), "status"],
    ["Batches.list tag name with a comma", Stream.runDrain(Batches.list({ tags: { "a,b": true } })), "tags"]
  ]

  for (const [name, effect, field] of cases) {
    it.effect(name, () =>
      Effect.gen(function*() {
        sent.length = 0
        const error = failureOf(yield* Effect.exit(effect.pipe(Effect.provide(layer)))) as { readonly _tag: string; readonly field: string }
        assert.strictEqual(error._tag, "AepValidationError")
        assert.isTrue(error.field === field || error.field.startsWith(`${field}.`) || error.field.startsWith(`${field}[`), `field ${error.field}`)
        assert.deepStrictEqual(sent, [], "nothing was sent")
      }))
  }

  // URLs are configuration: a layer with a bad one fails to build (ConfigError naming the
  // variable), so no request can be made with it.
  for (const [name, options] of [
    ["platformUrl over plain http to a remote host", { platformUrl: "http://platform.adobe.io" }],
    ["platformUrl with credentials", { platformUrl: "https://user:pw@platform.adobe.io" }],
    ["platformUrl with a query", { platformUrl: "https://platform.adobe.io/?x=1" }],
    ["platformUrl that is not a URL", { platformUrl: "platform.adobe.io" }],
    ["imsUrl over plain http to a remote host", { imsUrl: "http://ims-na1.adobelogin.com", clientSecret: "s" }]
  ] as const) {
    it.effect(`AepClient.layerWith ${name}: ConfigError, nothing sent`, () =>
      Effect.gen(function*() {
        sent.length = 0
        const options_ = { orgId, apiKey, ...("clientSecret" in options ? {} : { accessToken }), ...options } as Options
        const exit = yield* Effect.exit(
          Batches.get(batchId).pipe(
            Effect.provide(AepClient.layerWith(options_).pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, noNetwork))))
          )
        )
        const error = failureOf(exit) as { readonly _op?: string; readonly _tag: string }
        assert.strictEqual(error._tag, "ConfigError")
        assert.strictEqual(error._op, "InvalidData")
        assert.deepStrictEqual(sent, [])
      }))
  }
})
