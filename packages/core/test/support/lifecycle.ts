/**
 * Helpers for the lifecycle tests: an emulator over loopback with a client pointed at it, a
 * driver that steps the `TestClock` whenever the program under test is waiting on it, and small
 * file builders (JSON lines, CSV, a minimal Parquet file).
 */
import { Demo, Emulator } from "@effect-aep/emulator"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as AepClient from "../../src/AepClient.js"

export const datasetId = Demo.datasetId
export const sandbox = Demo.sandboxName

/**
 * A loopback HTTP client (undici, as `AepNode.layer` uses) that counts the requests in flight.
 * Each answer is read whole before it is handed on, so "nothing in flight" means the program is
 * not waiting on the network: whatever it waits on is its own (a poll delay, a retry backoff).
 */
const trackedHttpClient = (inFlight: { count: number }) =>
  Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, (client) =>
      client.pipe(HttpClient.transform((send, request) =>
        Effect.acquireUseRelease(
          Effect.sync(() => inFlight.count++),
          () =>
            Effect.flatMap(send, (response) =>
              Effect.map(response.arrayBuffer, (buffer) =>
                HttpClientResponse.fromWeb(
                  request,
                  new Response(
                    buffer.byteLength === 0 || [204, 205, 304].includes(response.status) ? null : buffer,
                    { status: response.status, headers: response.headers as Record<string, string> }
                  )
                ))),
          () => Effect.sync(() => inFlight.count--)
        )
      ))
    )
  ).pipe(Layer.provide(NodeHttpClient.layerUndici))

/** The client for a running emulator: `AepNode.layer`, with requests in flight counted. */
export const clientFor = (url: string, inFlight: { count: number } = { count: 0 }) =>
  AepClient.layerWith({ platformUrl: url, orgId: Demo.orgId, apiKey: Demo.apiKey, accessToken: Demo.accessToken }).pipe(
    Layer.provide(trackedHttpClient(inFlight))
  )

/**
 * Starts an emulator (in the test's scope, so on the test's `TestClock`) and returns it with a
 * `provide` that points a program's `AepClient` at it.
 */
export const startEmulator = (options: Emulator.Options = {}) =>
  Effect.map(Emulator.start(options), (emulator) => {
    const inFlight = { count: 0 }
    const layer = clientFor(emulator.url, inFlight)
    return {
      emulator,
      state: emulator.state,
      inFlight,
      provide: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.provide(effect, layer)
    }
  })

export type Started = Effect.Effect.Success<ReturnType<typeof startEmulator>>

/** Requests the emulator counted, over every operation. */
export const totalRequests = (emulator: Emulator.Emulator): number => {
  let total = 0
  for (const [name, count] of emulator.state.counters) if (!name.startsWith("faults.")) total += count
  return total
}

// Real time, independent of the TestClock: lets sockets, the server and yielded fibers progress.
const millisecond = Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 1)))

/**
 * Runs `effect` in a fiber and, whenever it is waiting on the TestClock rather than on the
 * network (no request in flight for a few real milliseconds), moves the clock to the earliest
 * sleeper: the next poll, the next retry, or a timeout. No test waits for simulated time, and
 * the clock never jumps while a request is on its way (its attempt timeout would fire).
 * (Sleepers of finished fibers stay in the TestClock's list: jumping to one of them just moves
 * time forward a little.)
 */
export const driveClock = <A, E, R>(started: Started, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    let idle = 0
    while (true) {
      const exit = yield* Fiber.poll(fiber)
      if (Option.isSome(exit)) return yield* exit.value
      idle = started.inFlight.count === 0 ? idle + 1 : 0
      const sleeps = Chunk.toReadonlyArray(yield* TestClock.sleeps())
      const now = yield* TestClock.currentTimeMillis
      const next = Math.min(...sleeps.filter((at) => at > now))
      if (idle >= 3 && Number.isFinite(next)) {
        yield* TestClock.setTime(next)
        idle = 0
      } else {
        yield* millisecond
      }
    }
  })

/** Waits (in real time) until `predicate` holds; for states reached through loopback I/O. */
export const eventually = (predicate: () => boolean, what = "the condition"): Effect.Effect<void> =>
  Effect.gen(function*() {
    for (let i = 0; i < 5000; i++) {
      if (predicate()) return
      yield* millisecond
    }
    return yield* Effect.dieMessage(`timed out waiting for ${what}`)
  })

const encoder = new TextEncoder()
export const utf8 = (text: string): Uint8Array => encoder.encode(text)
export const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes)

export const concat = (parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

/** `count` JSON lines, each a distinct record. */
export const jsonLines = (count: number, from = 0): string =>
  Array.from({ length: count }, (_, i) => JSON.stringify({ id: from + i, name: `person ${from + i}` })).join("\n") + "\n"

/**
 * The smallest Parquet file the emulator reads: the magic, a stand-in for column data, a
 * FileMetaData in the Thrift compact protocol (field 1 `version` i32 = 1, field 3 `num_rows`
 * i64), the footer's 4-byte little-endian length, and the magic again.
 */
export const parquetFile = (rows: number): Uint8Array => {
  const varint = (value: number): Array<number> => {
    const out: Array<number> = []
    let v = value
    while (v >= 0x80) {
      out.push((v & 0x7f) | 0x80)
      v = Math.floor(v / 128)
    }
    out.push(v)
    return out
  }
  const zigzag = (n: number) => n * 2
  // 0x15: field delta 1, type i32; 0x26: field delta 2 (→ 3), type i64; 0x00: stop.
  const footer = [0x15, ...varint(zigzag(1)), 0x26, ...varint(zigzag(rows)), 0x00]
  const magic = [0x50, 0x41, 0x52, 0x31]
  const length = footer.length
  return new Uint8Array([
    ...magic,
    ...utf8("column data stands here"),
    ...footer,
    length & 0xff,
    (length >> 8) & 0xff,
    (length >> 16) & 0xff,
    (length >>> 24) & 0xff,
    ...magic
  ])
}

/** Bytes `0, 1, 2, …` (mod 251), so that any reordering or loss shows. */
export const pattern = (size: number): Uint8Array => Uint8Array.from({ length: size }, (_, i) => i % 251)

/** A stream of `bytes` in uneven pieces. */
export const inPieces = (bytes: Uint8Array, sizes: ReadonlyArray<number>): Stream.Stream<Uint8Array> =>
  Stream.suspend(() => {
    const pieces: Array<Uint8Array> = []
    let offset = 0
    let i = 0
    while (offset < bytes.length) {
      const size = sizes[i++ % sizes.length]!
      pieces.push(bytes.slice(offset, offset + size))
      offset += size
    }
    return Stream.fromIterable(pieces)
  })

/** The bytes the emulator kept for a file, in file order. */
export const retained = (started: Started, batchId: string, name: string): Uint8Array => {
  const file = started.state.entry(sandbox, batchId)?.files.get(name)
  if (file === undefined) throw new Error(`the emulator has no file ${name} in batch ${batchId}`)
  if (file.retained === undefined) throw new Error("the emulator did not retain the file")
  return concat(file.retained)
}
