/**
 * When and how requests are sent again. AEP sits behind Adobe's gateway, where 429, 502, 503,
 * 504 and dropped connections are part of normal life; the policy retries them with full-jitter
 * exponential backoff (a longer base when throttled), honours `Retry-After` as a lower bound, and
 * stops at a number of attempts or an overall deadline, whichever comes first. Each attempt also
 * has its own timeout.
 *
 * What is retried depends on whether repeating the request is safe: reads, file uploads, chunks
 * and signals are; creating a batch is made safe by `Batches.create` (see there).
 *
 * Replace the policy for a whole client with `RetryPolicy.layer`, or for one call with
 * `RetryPolicy.withPolicy`; `RetryPolicy.disabled` turns retries off.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberRef from "effect/FiberRef"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Random from "effect/Random"

/**
 * @since 0.1.0
 * @category models
 */
export interface RetryPolicy {
  /** Attempts in all, the first included: 1 means no retry. */
  readonly maxAttempts: number
  /** Backoff base: attempt n waits a random time up to `min(maxDelay, base × 2^(n-1))`. */
  readonly baseDelay: Duration.Duration
  /** The base after a 429 (throttled). */
  readonly throttledBaseDelay: Duration.Duration
  readonly maxDelay: Duration.Duration
  /** `Retry-After` is honoured up to this long; a longer one is clamped to it. */
  readonly maxRetryAfter: Duration.Duration
  /** No retry starts once this long has passed since the first attempt. */
  readonly deadline: Duration.Duration
  /** How long one attempt may take, answer included. */
  readonly attemptTimeout: Duration.Duration
}

/**
 * What `make` takes: any field of the policy, the rest from `base` (default: `defaults`).
 *
 * @since 0.1.0
 * @category models
 */
export type Options = { readonly [K in keyof RetryPolicy]?: RetryPolicy[K] extends number ? number : Duration.DurationInput }

/**
 * Builds a policy, checking its values (a policy is configuration: a wrong one throws at once).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options, base: RetryPolicy = defaults): RetryPolicy => {
  const duration = (name: keyof Options, value: Duration.DurationInput | undefined, fallback: Duration.Duration) => {
    if (value === undefined) return fallback
    const decoded = Duration.decode(value)
    if (!Duration.isFinite(decoded) && name !== "deadline") {
      throw new RangeError(`RetryPolicy.${name} must be a finite duration`)
    }
    return decoded
  }
  const maxAttempts = options.maxAttempts ?? base.maxAttempts
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100) {
    throw new RangeError("RetryPolicy.maxAttempts must be a whole number from 1 to 100")
  }
  return {
    maxAttempts,
    baseDelay: duration("baseDelay", options.baseDelay, base.baseDelay),
    throttledBaseDelay: duration("throttledBaseDelay", options.throttledBaseDelay, base.throttledBaseDelay),
    maxDelay: duration("maxDelay", options.maxDelay, base.maxDelay),
    maxRetryAfter: duration("maxRetryAfter", options.maxRetryAfter, base.maxRetryAfter),
    deadline: duration("deadline", options.deadline, base.deadline),
    attemptTimeout: duration("attemptTimeout", options.attemptTimeout, base.attemptTimeout)
  }
}

/**
 * For requests: 3 attempts, base 100 ms (500 ms when throttled), delays up to 20 s, `Retry-After`
 * up to 60 s, a 2-minute deadline, 30 s per attempt — the figures of AWS's SDKs, whose gateway
 * behaves like Adobe's.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults: RetryPolicy = {
  maxAttempts: 3,
  baseDelay: Duration.millis(100),
  throttledBaseDelay: Duration.millis(500),
  maxDelay: Duration.seconds(20),
  maxRetryAfter: Duration.seconds(60),
  deadline: Duration.minutes(2),
  attemptTimeout: Duration.seconds(30)
}

/**
 * For file uploads and chunks: the same, with 10 minutes per attempt and a 30-minute deadline.
 *
 * @since 0.1.0
 * @category constants
 */
export const uploadDefaults: RetryPolicy = {
  ...defaults,
  attemptTimeout: Duration.minutes(10),
  deadline: Duration.minutes(30)
}

/**
 * One attempt only (the attempt timeout still applies).
 *
 * @since 0.1.0
 * @category constants
 */
export const disabled: RetryPolicy = { ...defaults, maxAttempts: 1 }

/**
 * The policies of a client: one for requests, one for uploads.
 *
 * @since 0.1.0
 * @category models
 */
export interface Policies {
  readonly request: RetryPolicy
  readonly upload: RetryPolicy
}

/**
 * The policies a client uses when the program provides none.
 *
 * @since 0.1.0
 * @category tags
 */
export class ClientPolicies extends Context.Tag("@effect-aep/core/RetryPolicy/ClientPolicies")<ClientPolicies, Policies>() {}

/**
 * Sets the policies of every client built with this layer in scope (`AepClient.layer` and the
 * `AepNode` / `AepEdge` layers read it when they are built).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (policies: Partial<Policies>): Layer.Layer<ClientPolicies> =>
  Layer.succeed(ClientPolicies, { request: policies.request ?? defaults, upload: policies.upload ?? uploadDefaults })

/**
 * A policy for the calls inside one effect, over the client's own.
 *
 * @since 0.1.0
 * @category models
 */
export const currentOverride: FiberRef.FiberRef<Option.Option<RetryPolicy>> = FiberRef.unsafeMake(Option.none())

/**
 * Runs `effect` with `policy` for all its AEP calls (uploads included).
 *
 * @example
 * ```ts
 * import { Batches, RetryPolicy } from "@effect-aep/core"
 *
 * const once = Batches.get("…").pipe(RetryPolicy.withPolicy(RetryPolicy.disabled))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const withPolicy: {
  (policy: RetryPolicy): <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(effect: Effect.Effect<A, E, R>, policy: RetryPolicy): Effect.Effect<A, E, R>
} = dual(
  2,
  <A, E, R>(effect: Effect.Effect<A, E, R>, policy: RetryPolicy): Effect.Effect<A, E, R> =>
    Effect.locally(effect, currentOverride, Option.some(policy))
)

/**
 * The delay before attempt `attempt + 1` (attempt counts from 1): a uniform random time up to
 * the exponential ceiling ("full jitter"), and at least what `Retry-After` asked for (clamped).
 *
 * @since 0.1.0
 * @category backoff
 */
export const delay = (
  policy: RetryPolicy,
  attempt: number,
  random: number,
  throttled: boolean,
  retryAfter: Duration.Duration | undefined
): Duration.Duration => {
  const base = Duration.toMillis(throttled ? policy.throttledBaseDelay : policy.baseDelay)
  const ceiling = Math.min(Duration.toMillis(policy.maxDelay), base * 2 ** (attempt - 1))
  const jittered = Math.floor(random * ceiling)
  const floor = retryAfter === undefined ? 0 : Math.min(Duration.toMillis(retryAfter), Duration.toMillis(policy.maxRetryAfter))
  return Duration.millis(Math.max(jittered, floor))
}

/**
 * A `Retry-After` value (seconds, or an HTTP date) as a duration from `now` (epoch ms).
 *
 * @since 0.1.0
 * @category backoff
 */
export const parseRetryAfter = (value: string | undefined, now: number): Duration.Duration | undefined => {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Duration.seconds(Number(trimmed))
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? undefined : Duration.millis(Math.max(0, date - now))
}

/**
 * Runs `effect` under the policy in force (the per-call override, else the request policy of a
 * provided `layer`, else `defaults`): each attempt timed (`onTimeout` makes the error), failures
 * that `isRetryable` retried after the backoff delay (and `retryAfter`, when the failure carries
 * one), until the attempts or the deadline run out. For calls that are safe to repeat.
 *
 * @since 0.1.0
 * @category combinators
 */
export const retry = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  options: {
    readonly isRetryable: (error: E) => boolean
    readonly onTimeout: (timeout: Duration.Duration) => E
    readonly throttled?: ((error: E) => boolean) | undefined
    readonly retryAfter?: ((error: E) => Duration.Duration | undefined) | undefined
    readonly policy?: RetryPolicy | undefined
  }
): Effect.Effect<A, E, R> =>
  Effect.gen(function*() {
    // As for AEP's requests: the per-call override, else the request policy `layer` set.
    const configured = Option.map(yield* Effect.serviceOption(ClientPolicies), (policies) => policies.request)
    const policy = options.policy ??
      Option.getOrElse(Option.orElse(yield* FiberRef.get(currentOverride), () => configured), () => defaults)
    const timed = Effect.timeoutFail(effect, { duration: policy.attemptTimeout, onTimeout: () => options.onTimeout(policy.attemptTimeout) })
    const startedAt = yield* Clock.currentTimeMillis
    for (let attempt = 1;; attempt++) {
      const result = yield* Effect.either(timed)
      if (Either.isRight(result)) return result.right
      const error = result.left
      if (attempt >= policy.maxAttempts || !options.isRetryable(error)) return yield* Effect.fail(error)
      const wait = delay(policy, attempt, yield* Random.next, options.throttled?.(error) ?? false, options.retryAfter?.(error))
      if ((yield* Clock.currentTimeMillis) + Duration.toMillis(wait) - startedAt > Duration.toMillis(policy.deadline)) {
        return yield* Effect.fail(error)
      }
      yield* Effect.sleep(wait)
    }
  })
