/**
 * Helpers for the fault tests: a client over loopback that logs what it sends, a Clock that
 * records the waits taken, and a driver that moves the TestClock only when the program under
 * test is waiting on it.
 */
import { AepClient, RetryPolicy } from "@effect-aep/core"
import { Demo } from "@effect-aep/emulator"
import type { EmulatorState } from "@effect-aep/emulator"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as UrlParams from "@effect/platform/UrlParams"
import { Clock, Duration, Effect, type Exit, Fiber, Layer, Option, TestClock } from "effect"

/** A request as the HTTP client was asked to send it. */
export interface Sent {
  readonly method: string
  readonly path: string
  /** The query (without `?`). */
  readonly search: string
  readonly contentRange: string | undefined
}

/**
 * `AepClient.layerWith` against a loopback platform (undici, as `AepNode.layer` uses), logging
 * every request into `sent`. `credentials` exchanges the emulator's demo secret at its IMS;
 * otherwise the demo token is used as is.
 */
export const loopbackClient = (
  url: string,
  sent: Array<Sent>,
  options: { readonly credentials?: boolean; readonly policies?: Partial<RetryPolicy.Policies> } = {}
): Layer.Layer<AepClient.AepClient> =>
  AepClient.layerWith({
    platformUrl: url,
    orgId: Demo.orgId,
    apiKey: Demo.apiKey,
    ...(options.credentials === true ? { clientSecret: Demo.clientSecret, imsUrl: url } : { accessToken: Demo.accessToken })
  }).pipe(
    Layer.provide(
      Layer.effect(
        HttpClient.HttpClient,
        Effect.map(HttpClient.HttpClient, (client) =>
          HttpClient.tapRequest(client, (request) =>
            Effect.sync(() => {
              const parsed = new URL(request.url)
              sent.push({
                method: request.method,
                path: parsed.pathname,
                search: UrlParams.toString(request.urlParams),
                contentRange: request.headers["content-range"]
              })
            })))
      ).pipe(Layer.provide(NodeHttpClient.layerUndici))
    ),
    Layer.provide(RetryPolicy.layer(options.policies ?? {})),
    Layer.orDie
  )

/** One wait: how long, until when (by the clock it was taken on), and whether it is still on. */
export interface Wait {
  readonly millis: number
  readonly until: number
  pending: boolean
}

/**
 * A Clock that records every `sleep` into `waits` (the client's retry delays and attempt
 * timeouts alike) and otherwise is `inner`.
 */
export const recordingClock = (inner: Clock.Clock, waits: Array<Wait>): Clock.Clock => ({
  [Clock.ClockTypeId]: Clock.ClockTypeId,
  unsafeCurrentTimeMillis: () => inner.unsafeCurrentTimeMillis(),
  currentTimeMillis: inner.currentTimeMillis,
  unsafeCurrentTimeNanos: () => inner.unsafeCurrentTimeNanos(),
  currentTimeNanos: inner.currentTimeNanos,
  sleep: (duration) =>
    Effect.suspend(() => {
      const millis = Duration.toMillis(duration)
      const wait: Wait = { millis, until: inner.unsafeCurrentTimeMillis() + millis, pending: true }
      waits.push(wait)
      return Effect.ensuring(inner.sleep(duration), Effect.sync(() => (wait.pending = false)))
    })
})

// Real time, independent of the TestClock: lets sockets, the server and other fibers progress.
export const realPause = (millis = 1) => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, millis)))

/**
 * Runs `effect` on the TestClock with its waits recorded, and moves the clock only when the
 * program waits on it: to the end of a pending retry delay as soon as one is taken, and to the
 * end of the pending attempt timeout once the emulator has started an injected latency (the only
 * way an attempt can be stuck). An attempt on its way over loopback is never timed out by a jump.
 * `timeouts` are the attempt timeouts in force, to tell them from delays.
 */
export const drive = <A, E>(
  effect: Effect.Effect<A, E>,
  options: { readonly state: EmulatorState.EmulatorState; readonly timeouts: ReadonlyArray<Duration.Duration> }
): Effect.Effect<{ readonly exit: Exit.Exit<A, E>; readonly waits: ReadonlyArray<Wait>; readonly elapsed: number }> =>
  Effect.gen(function*() {
    const waits: Array<Wait> = []
    const timeouts = new Set(options.timeouts.map(Duration.toMillis))
    const clock = recordingClock(yield* Effect.clock, waits)
    const startedAt = yield* TestClock.currentTimeMillis
    const fiber = yield* Effect.fork(Effect.withClock(effect, clock))
    let latencies = options.state.counter("faults.latency")
    for (let spins = 0; spins < 60_000; spins++) {
      const exit = yield* Fiber.poll(fiber)
      if (Option.isSome(exit)) {
        return { exit: exit.value, waits, elapsed: (yield* TestClock.currentTimeMillis) - startedAt }
      }
      const now = yield* TestClock.currentTimeMillis
      const pending = waits.filter((wait) => wait.pending).sort((a, b) => a.until - b.until)
      const delay = pending.find((wait) => !timeouts.has(wait.millis))
      if (delay !== undefined) {
        yield* TestClock.adjust(Math.max(0, delay.until - now))
        continue
      }
      const fired = options.state.counter("faults.latency")
      const timeout = pending.find((wait) => timeouts.has(wait.millis))
      if (fired > latencies && timeout !== undefined) {
        latencies = fired
        yield* TestClock.adjust(Math.max(0, timeout.until - now))
        continue
      }
      yield* realPause()
    }
    yield* Fiber.interrupt(fiber)
    return yield* Effect.dieMessage("the program under test neither finished nor waited on the clock within a minute")
  })

/** The waits that were retry delays (not attempt timeouts), in the order taken. */
export const delaysOf = (waits: ReadonlyArray<Wait>, timeouts: ReadonlyArray<Duration.Duration>): Array<number> => {
  const set = new Set(timeouts.map(Duration.toMillis))
  return waits.filter((wait) => !set.has(wait.millis)).map((wait) => wait.millis)
}
