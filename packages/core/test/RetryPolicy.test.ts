/**
 * The retry policy on its own: the delay arithmetic (full jitter, throttled base, cap,
 * `Retry-After` as a clamped floor), `parseRetryAfter`, `retry` (attempts, deadline, attempt
 * timeout) on the TestClock, `make`'s checks, and how a client picks its policy (layer, per call).
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import * as TestClock from "effect/TestClock"
import * as AepClient from "../src/AepClient.js"
import type { AepHttpError } from "../src/AepError.js"
import * as Batches from "../src/Batches.js"
import * as RetryPolicy from "../src/RetryPolicy.js"

const millis = (duration: Duration.Duration) => Duration.toMillis(duration)

describe("RetryPolicy.delay", () => {
  const policy = RetryPolicy.defaults

  it.prop(
    "full jitter: a uniform draw below min(maxDelay, base × 2^(n-1)), the throttled base after a 429",
    [
      FastCheck.integer({ min: 1, max: 40 }),
      FastCheck.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      FastCheck.boolean()
    ],
    ([attempt, random, throttled]) => {
      const base = throttled ? 500 : 100
      const ceiling = Math.min(20_000, base * 2 ** (attempt - 1))
      const wait = millis(RetryPolicy.delay(policy, attempt, random, throttled, undefined))
      assert.isAtLeast(wait, 0)
      assert.isBelow(wait, ceiling)
      assert.strictEqual(wait, Math.floor(random * ceiling))
    }
  )

  it("bounds: a draw of 0 waits nothing, a draw just below 1 waits just below the ceiling", () => {
    assert.strictEqual(millis(RetryPolicy.delay(policy, 1, 0, false, undefined)), 0)
    assert.strictEqual(millis(RetryPolicy.delay(policy, 1, 0.99999, false, undefined)), 99)
    assert.strictEqual(millis(RetryPolicy.delay(policy, 3, 0.99999, false, undefined)), 399)
  })

  it("a 429 doubles from 500 ms instead of 100 ms", () => {
    assert.strictEqual(millis(RetryPolicy.delay(policy, 1, 0.5, false, undefined)), 50)
    assert.strictEqual(millis(RetryPolicy.delay(policy, 1, 0.5, true, undefined)), 250)
    assert.strictEqual(millis(RetryPolicy.delay(policy, 2, 0.5, true, undefined)), 500)
  })

  it("the ceiling stops at maxDelay however many attempts came before", () => {
    assert.strictEqual(millis(RetryPolicy.delay(policy, 8, 0.999, false, undefined)), 12_787) // 12.8 s, below the cap
    assert.strictEqual(millis(RetryPolicy.delay(policy, 9, 0.999, false, undefined)), 19_980) // 25.6 s, capped to 20 s
    assert.strictEqual(millis(RetryPolicy.delay(policy, 99, 0.999, true, undefined)), 19_980)
    const small = RetryPolicy.make({ maxDelay: "1 second" })
    assert.strictEqual(millis(RetryPolicy.delay(small, 5, 0.5, true, undefined)), 500)
  })

  it("Retry-After is a floor: a shorter draw waits what AEP asked, a longer draw stands", () => {
    assert.strictEqual(millis(RetryPolicy.delay(policy, 1, 0.1, true, Duration.seconds(3))), 3000)
    assert.strictEqual(millis(RetryPolicy.delay(policy, 1, 0, false, Duration.zero)), 0)
    // attempt 9: ceiling 20 s, draw 0.5 → 10 s, above the 3 s asked for
    assert.strictEqual(millis(RetryPolicy.delay(policy, 9, 0.5, false, Duration.seconds(3))), 10_000)
  })

  it("Retry-After is clamped to maxRetryAfter", () => {
    assert.strictEqual(millis(RetryPolicy.delay(policy, 1, 0, true, Duration.minutes(10))), 60_000)
    const impatient = RetryPolicy.make({ maxRetryAfter: "5 seconds" })
    assert.strictEqual(millis(RetryPolicy.delay(impatient, 1, 0, true, Duration.hours(1))), 5000)
    // The clamp applies to the floor only: the jitter keeps its own ceiling.
    assert.strictEqual(millis(RetryPolicy.delay(impatient, 9, 0.5, false, Duration.hours(1))), 10_000)
  })
})

describe("RetryPolicy.parseRetryAfter", () => {
  const now = Date.UTC(2026, 9, 21, 7, 28, 0)

  it("reads whole seconds", () => {
    assert.strictEqual(millis(RetryPolicy.parseRetryAfter("3", now)!), 3000)
    assert.strictEqual(millis(RetryPolicy.parseRetryAfter(" 120 ", now)!), 120_000)
    assert.strictEqual(millis(RetryPolicy.parseRetryAfter("0", now)!), 0)
  })

  it("reads an HTTP date as the time left until then, a past date as no wait", () => {
    assert.strictEqual(millis(RetryPolicy.parseRetryAfter("Wed, 21 Oct 2026 07:28:05 GMT", now)!), 5000)
    assert.strictEqual(millis(RetryPolicy.parseRetryAfter(new Date(now + 90_000).toUTCString(), now)!), 90_000)
    assert.strictEqual(millis(RetryPolicy.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now)!), 0)
  })

  it("ignores what is neither", () => {
    assert.isUndefined(RetryPolicy.parseRetryAfter(undefined, now))
    assert.isUndefined(RetryPolicy.parseRetryAfter("soon", now))
    assert.isUndefined(RetryPolicy.parseRetryAfter("", now))
  })
})

describe("RetryPolicy.make", () => {
  it("takes any field, the rest from defaults or from a given base", () => {
    assert.deepStrictEqual(RetryPolicy.make({}), RetryPolicy.defaults)
    const policy = RetryPolicy.make({ maxAttempts: 5, baseDelay: "10 millis", attemptTimeout: 2000 })
    assert.strictEqual(policy.maxAttempts, 5)
    assert.strictEqual(millis(policy.baseDelay), 10)
    assert.strictEqual(millis(policy.attemptTimeout), 2000)
    assert.strictEqual(millis(policy.throttledBaseDelay), 500)
    const upload = RetryPolicy.make({ maxAttempts: 2 }, RetryPolicy.uploadDefaults)
    assert.strictEqual(millis(upload.attemptTimeout), 10 * 60_000)
    assert.strictEqual(millis(upload.deadline), 30 * 60_000)
  })

  it("refuses a number of attempts that is not a whole number from 1 to 100", () => {
    for (const maxAttempts of [0, -1, 101, 2.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => RetryPolicy.make({ maxAttempts }), RangeError, "maxAttempts", String(maxAttempts))
    }
    assert.strictEqual(RetryPolicy.make({ maxAttempts: 1 }).maxAttempts, 1)
    assert.strictEqual(RetryPolicy.make({ maxAttempts: 100 }).maxAttempts, 100)
  })

  it("refuses an infinite duration, except for the deadline", () => {
    for (const name of ["baseDelay", "throttledBaseDelay", "maxDelay", "maxRetryAfter", "attemptTimeout"] as const) {
      assert.throws(() => RetryPolicy.make({ [name]: Duration.infinity }), RangeError, name)
    }
    assert.isFalse(Duration.isFinite(RetryPolicy.make({ deadline: Duration.infinity }).deadline))
  })

  it("the constants: 3 attempts; uploads get 10 minutes per attempt; disabled is one attempt", () => {
    assert.strictEqual(RetryPolicy.defaults.maxAttempts, 3)
    assert.strictEqual(millis(RetryPolicy.defaults.attemptTimeout), 30_000)
    assert.strictEqual(millis(RetryPolicy.uploadDefaults.attemptTimeout), 600_000)
    assert.strictEqual(RetryPolicy.disabled.maxAttempts, 1)
  })
})

class Flaky {
  readonly _tag = "Flaky"
  constructor(readonly retryable: boolean, readonly after?: Duration.Duration) {}
}

/** An effect that fails `failures` times with `error`, then succeeds; counts its runs. */
const failing = (failures: number, error: Flaky) => {
  const runs: Array<number> = []
  const effect = Effect.flatMap(Clock.currentTimeMillis, (now) => {
    runs.push(now)
    return runs.length <= failures ? Effect.fail(error) : Effect.succeed(runs.length)
  })
  return { runs, effect }
}

const retryOptions = {
  isRetryable: (error: Flaky) => error.retryable,
  retryAfter: (error: Flaky) => error.after,
  onTimeout: () => new Flaky(true)
}

/** Runs `effect` in a fiber and moves the TestClock far enough for every wait in it. */
const onTestClock = <A, E>(effect: Effect.Effect<A, E>, far: Duration.DurationInput = "1 hour") =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    yield* TestClock.adjust(far)
    return yield* Fiber.join(fiber).pipe(Effect.either)
  })

describe("RetryPolicy.retry (TestClock)", () => {
  it.effect("retries until success, each wait a draw from the seeded generator", () =>
    Effect.gen(function*() {
      const { effect, runs } = failing(2, new Flaky(true))
      const result = yield* onTestClock(effect.pipe(
        (self) => RetryPolicy.retry(self, retryOptions),
        Effect.withRandom(Random.make("seed"))
      ))
      assert.deepStrictEqual(result, Either.right(3))
      const draws = Random.make("seed")
      const first = millis(RetryPolicy.delay(RetryPolicy.defaults, 1, yield* draws.next, false, undefined))
      const second = millis(RetryPolicy.delay(RetryPolicy.defaults, 2, yield* draws.next, false, undefined))
      assert.deepStrictEqual(runs, [0, first, first + second])
    }))

  it.effect("stops at maxAttempts with the last error; a failure that is not retryable stops at once", () =>
    Effect.gen(function*() {
      const always = failing(100, new Flaky(true))
      const exhausted = yield* onTestClock(RetryPolicy.retry(always.effect, retryOptions))
      assert.isTrue(Either.isLeft(exhausted))
      assert.strictEqual(always.runs.length, 3)

      const final = failing(100, new Flaky(false))
      yield* onTestClock(RetryPolicy.retry(final.effect, retryOptions))
      assert.strictEqual(final.runs.length, 1)
    }))

  it.effect("no retry starts past the deadline: a 1 s Retry-After under a 3.5 s deadline allows 4 attempts", () =>
    Effect.gen(function*() {
      const policy = RetryPolicy.make({ maxAttempts: 100, baseDelay: "1 millis", deadline: "3500 millis" })
      const { effect, runs } = failing(100, new Flaky(true, Duration.seconds(1)))
      const result = yield* onTestClock(RetryPolicy.retry(effect, { ...retryOptions, policy }))
      assert.isTrue(Either.isLeft(result))
      // The fifth would start at 4 s, after the deadline: the error comes back at 3 s instead.
      assert.deepStrictEqual(runs, [0, 1000, 2000, 3000])
    }))

  it.effect("each attempt has its own timeout; a timed-out attempt is retried like any retryable failure", () =>
    Effect.gen(function*() {
      const policy = RetryPolicy.make({ attemptTimeout: "2 seconds", baseDelay: "1 millis", maxAttempts: 2 })
      const starts: Array<number> = []
      let failedAt = -1
      const hangs = Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.zipRight(Effect.sync(() => starts.push(now)), Effect.never))
      const result = yield* onTestClock(RetryPolicy.retry(hangs, { ...retryOptions, policy }).pipe(
        Effect.tapError(() => Effect.map(Clock.currentTimeMillis, (now) => (failedAt = now)))
      ))
      assert.isTrue(Either.isLeft(result))
      // Two timeouts of 2 s, and between them a wait below 1 ms (0).
      assert.deepStrictEqual(starts, [0, 2000])
      assert.strictEqual(failedAt, 4000)
    }))

  it.effect("without an override, the request policy of a provided RetryPolicy.layer applies", () =>
    Effect.gen(function*() {
      const once = failing(100, new Flaky(true))
      yield* onTestClock(RetryPolicy.retry(once.effect, retryOptions).pipe(
        Effect.provide(RetryPolicy.layer({ request: RetryPolicy.disabled }))
      ))
      assert.strictEqual(once.runs.length, 1)

      const four = failing(100, new Flaky(true))
      yield* onTestClock(RetryPolicy.retry(four.effect, retryOptions).pipe(
        RetryPolicy.withPolicy(RetryPolicy.make({ maxAttempts: 4 })),
        Effect.provide(RetryPolicy.layer({ request: RetryPolicy.disabled }))
      ))
      assert.strictEqual(four.runs.length, 4)
    }))

  it.effect("the per-call override (withPolicy) applies; an explicit policy option beats it", () =>
    Effect.gen(function*() {
      const once = failing(100, new Flaky(true))
      yield* onTestClock(RetryPolicy.retry(once.effect, retryOptions).pipe(RetryPolicy.withPolicy(RetryPolicy.disabled)))
      assert.strictEqual(once.runs.length, 1)

      const five = failing(100, new Flaky(true))
      yield* onTestClock(
        RetryPolicy.retry(five.effect, { ...retryOptions, policy: RetryPolicy.make({ maxAttempts: 5 }) }).pipe(
          RetryPolicy.withPolicy(RetryPolicy.disabled)
        )
      )
      assert.strictEqual(five.runs.length, 5)
    }))
})

// A client whose every answer comes from `answer`; it records when each request was sent.
const clientAnswering = (
  answer: (n: number, now: number) => { readonly status: number; readonly headers?: Record<string, string>; readonly body?: string }
) => {
  const sentAt: Array<number> = []
  const httpClient = HttpClient.make((request) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => {
      sentAt.push(now)
      const { body, headers, status } = answer(sentAt.length, now)
      return Effect.succeed(HttpClientResponse.fromWeb(request, new Response(body ?? null, { status, headers: headers ?? {} })))
    })
  )
  const layer = AepClient.layerWith({
    orgId: "5C1328435BF324E90A49402A@AdobeOrg",
    apiKey: "key",
    accessToken: "token"
  }).pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, httpClient)), Layer.orDie)
  return { sentAt, layer }
}

const batchId = "5d01230fc78a4e4f8c0c6b387b4b8d1c"
const keyed = JSON.stringify({
  [batchId]: { status: "loading", created: 1, updated: 1, relatedObjects: [{ type: "dataSet", id: "5c8c3c555033b814b69f947f" }] }
})

describe("RetryPolicy through the client (canned HttpClient, TestClock)", () => {
  it.effect("a Retry-After HTTP date is honoured as the time left until it", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.UTC(2026, 9, 21, 7, 28, 0))
      const { layer, sentAt } = clientAnswering((n, now) =>
        n === 1 ? { status: 503, headers: { "retry-after": new Date(now + 7000).toUTCString() } } : { status: 200, body: keyed }
      )
      const result = yield* onTestClock(Batches.get(batchId).pipe(Effect.provide(layer)))
      assert.isTrue(Either.isRight(result))
      assert.strictEqual(sentAt[1]! - sentAt[0]!, 7000)
    }))

  it.effect("a Retry-After beyond maxRetryAfter waits maxRetryAfter, and the error keeps what AEP asked", () =>
    Effect.gen(function*() {
      const { layer, sentAt } = clientAnswering(() => ({ status: 429, headers: { "retry-after": "3600" } }))
      const result = yield* onTestClock(Batches.get(batchId).pipe(Effect.provide(layer)), "10 minutes")
      assert.deepStrictEqual(sentAt, [0, 60_000, 120_000])
      assert.isTrue(Either.isLeft(result))
      const error = Either.isLeft(result) ? result.left as AepHttpError : undefined
      assert.strictEqual(error?._tag, "AepHttpError")
      assert.strictEqual(error?.status, 429)
      assert.strictEqual(error?.attempts, 3)
      assert.strictEqual(error?.retryAfterMillis, 3_600_000)
    }))

  it.effect("the overall deadline stops the retries: no attempt starts after 2 minutes", () =>
    Effect.gen(function*() {
      const policy = RetryPolicy.make({ maxAttempts: 10, deadline: "150 seconds" })
      const { layer, sentAt } = clientAnswering(() => ({ status: 429, headers: { "retry-after": "60" } }))
      yield* onTestClock(Batches.get(batchId).pipe(Effect.provide(layer), RetryPolicy.withPolicy(policy)), "10 minutes")
      assert.deepStrictEqual(sentAt, [0, 60_000, 120_000])
    }))

  it.effect("other 4xx are never retried, whatever the policy", () =>
    Effect.gen(function*() {
      for (const status of [400, 401, 403, 404, 409, 413, 415, 422]) {
        const { layer, sentAt } = clientAnswering(() => ({ status, body: "{}" }))
        const result = yield* onTestClock(
          Batches.get(batchId).pipe(Effect.provide(layer), RetryPolicy.withPolicy(RetryPolicy.make({ maxAttempts: 10 })))
        )
        assert.isTrue(Either.isLeft(result), String(status))
        assert.strictEqual(sentAt.length, 1, `${status} was sent ${sentAt.length} times`)
      }
    }))

  it.effect("RetryPolicy.layer sets the client's policy; withPolicy overrides it for one call", () =>
    Effect.gen(function*() {
      const run = (policies: Layer.Layer<RetryPolicy.ClientPolicies>, call: <A, E, R>(e: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>) =>
        Effect.gen(function*() {
          const { layer, sentAt } = clientAnswering(() => ({ status: 503 }))
          yield* onTestClock(call(Batches.get(batchId)).pipe(Effect.provide(Layer.provide(layer, policies))))
          return sentAt.length
        })
      const five = RetryPolicy.layer({ request: RetryPolicy.make({ maxAttempts: 5 }) })
      assert.strictEqual(yield* run(five, (e) => e), 5)
      assert.strictEqual(yield* run(five, RetryPolicy.withPolicy(RetryPolicy.disabled)), 1)
      assert.strictEqual(yield* run(RetryPolicy.layer({}), (e) => e), 3)
    }))
})
