/**
 * Fault injection: tell the emulator to misbehave the way Adobe's gateway and networks do, on
 * chosen requests, deterministically. A rule matches by method and path pattern and fires for a
 * count of matching requests (after skipping some) or with a probability drawn from a seeded
 * generator, so a failing test can be replayed exactly.
 *
 * @since 0.1.0
 */
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type * as EmulatorState from "./EmulatorState.js"
import { gatewayError, Refusal, respond, serviceError } from "./Refusal.js"

/**
 * What to do to a matching request.
 *
 * - `status`: answer this status at once, without running the endpoint (429 in the gateway's
 *   form, others in the services' form), with `Retry-After` if given (seconds or an HTTP date).
 * - `latency`: wait this long (by Effect's Clock) before handling the request normally.
 * - `reset`: drop the connection, `before` the endpoint runs (nothing happened) or `after` it
 *   (the change was made, the answer is lost).
 * - `truncate`: run the endpoint, send the headers and half of the body, then drop the connection.
 * - `malformed`: run the endpoint and replace a 2xx body with JSON cut short.
 * - `schema`: run the endpoint and replace a 2xx body with well-formed JSON that violates the
 *   documented schema.
 *
 * @since 0.1.0
 * @category models
 */
export const Fault = Schema.Union(
  Schema.Struct({
    type: Schema.Literal("status"),
    status: Schema.Int.pipe(Schema.between(400, 599)),
    retryAfter: Schema.optional(Schema.String)
  }),
  Schema.Struct({ type: Schema.Literal("latency"), millis: Schema.Int.pipe(Schema.between(0, 600_000)) }),
  Schema.Struct({ type: Schema.Literal("reset"), when: Schema.Literal("before", "after") }),
  Schema.Struct({ type: Schema.Literal("truncate") }),
  Schema.Struct({ type: Schema.Literal("malformed") }),
  Schema.Struct({ type: Schema.Literal("schema") })
)

/**
 * @since 0.1.0
 * @category models
 */
export type Fault = typeof Fault.Type

/**
 * When a fault applies. `path` is a regular expression tested against the request path (e.g.
 * `/import/batches$`); `times` bounds how often it fires (default: once, or without bound when a
 * `probability` is given); `skip` lets that many matching requests through first.
 *
 * @since 0.1.0
 * @category models
 */
export const Rule = Schema.Struct({
  method: Schema.optional(Schema.String),
  path: Schema.String,
  times: Schema.optional(Schema.Int.pipe(Schema.positive())),
  skip: Schema.optional(Schema.Int.pipe(Schema.nonNegative())),
  probability: Schema.optional(Schema.Number.pipe(Schema.between(0, 1))),
  fault: Fault
})

/**
 * @since 0.1.0
 * @category models
 */
export type Rule = typeof Rule.Type

/**
 * The body of `POST /__emulator/faults`: rules, and the seed of the generator that decides
 * probabilistic rules.
 *
 * @since 0.1.0
 * @category models
 */
export const Plan = Schema.Struct({
  rules: Schema.Array(Rule),
  seed: Schema.optional(Schema.Int)
})

/**
 * @since 0.1.0
 * @category models
 */
export type Plan = typeof Plan.Type

interface ActiveRule {
  readonly rule: Rule
  readonly pattern: RegExp
  skipped: number
  fired: number
}

/**
 * The rules in force and the seeded generator.
 *
 * @since 0.1.0
 * @category models
 */
export class Faults {
  private rules: Array<ActiveRule> = []
  private random: () => number = mulberry32(0)

  /** Replaces the rules in force. Fails on a path that is not a valid regular expression. */
  set(plan: Plan): string | undefined {
    const rules: Array<ActiveRule> = []
    for (const rule of plan.rules) {
      let pattern: RegExp
      try {
        pattern = new RegExp(rule.path)
      } catch {
        return `path ${rule.path} is not a valid regular expression`
      }
      rules.push({ rule, pattern, skipped: 0, fired: 0 })
    }
    this.rules = rules
    this.random = mulberry32(plan.seed ?? 0)
    return undefined
  }

  clear(): void {
    this.set({ rules: [] })
  }

  /** The rules in force, with how often each fired. */
  describe(): Array<Rule & { readonly fired: number }> {
    return this.rules.map((active) => ({ ...active.rule, fired: active.fired }))
  }

  /** The fault to apply to this request, if any; counts it as fired. */
  pick(method: string, path: string): Fault | undefined {
    for (const active of this.rules) {
      const { rule } = active
      if (rule.method !== undefined && rule.method.toUpperCase() !== method.toUpperCase()) continue
      if (!active.pattern.test(path)) continue
      if (active.skipped < (rule.skip ?? 0)) {
        active.skipped++
        continue
      }
      const limit = rule.times ?? (rule.probability === undefined ? 1 : Number.POSITIVE_INFINITY)
      if (active.fired >= limit) continue
      if (rule.probability !== undefined && this.random() >= rule.probability) continue
      active.fired++
      return rule.fault
    }
    return undefined
  }
}

// A small, well-known seeded generator: the same seed gives the same sequence on every runtime.
const mulberry32 = (seed: number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * What only the runtime serving the emulator can do to a connection: drop it, or send part of an
 * answer and then drop it. The Node server and the in-memory client each provide it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Connection {
  readonly reset: Effect.Effect<never>
  readonly truncate: (response: HttpServerResponse.HttpServerResponse) => Effect.Effect<never>
}

/**
 * @since 0.1.0
 * @category tags
 */
export const Connection: Context.Tag<Connection, Connection> = Context.GenericTag<Connection>(
  "@effect-aep/emulator/Faults/Connection"
)

const isSuccess = (response: HttpServerResponse.HttpServerResponse) => response.status >= 200 && response.status < 300

const replaceBody = (response: HttpServerResponse.HttpServerResponse, text: string) =>
  HttpServerResponse.text(text, {
    status: response.status,
    headers: response.headers,
    contentType: "application/json"
  })

/**
 * Wraps an app so that the rules in `state.faults` apply to every request except the control
 * API's.
 *
 * @since 0.1.0
 * @category middleware
 */
export const middleware = <E, R>(
  state: EmulatorState.EmulatorState,
  app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
): Effect.Effect<HttpServerResponse.HttpServerResponse, E, R | HttpServerRequest.HttpServerRequest> =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const path = new URL(request.url, "http://emulator").pathname
    if (path.startsWith("/__emulator/")) return yield* app
    const fault = state.faults.pick(request.method, path)
    if (fault === undefined) return yield* app
    state.count(`faults.${fault.type}`)
    const connection = yield* Effect.serviceOption(Connection)
    switch (fault.type) {
      case "status": {
        const headers = fault.retryAfter === undefined ? undefined : { "retry-after": fault.retryAfter }
        const refusal = fault.status === 429
          ? gatewayError(429, "429050", "Too many requests")
          : serviceError(fault.status, `Injected fault: ${fault.status}`)
        return respond(new Refusal({ status: refusal.status, body: refusal.body, ...(headers === undefined ? {} : { headers }) }))
      }
      case "latency": {
        yield* Effect.sleep(fault.millis)
        return yield* app
      }
      case "reset": {
        if (fault.when === "after") yield* app
        return yield* Option.match(connection, { onNone: () => Effect.die("no connection to reset"), onSome: (c) => c.reset })
      }
      case "truncate": {
        const response = yield* app
        return yield* Option.match(connection, {
          onNone: () => Effect.die("no connection to truncate"),
          onSome: (c) => c.truncate(response)
        })
      }
      case "malformed": {
        const response = yield* app
        return isSuccess(response) ? replaceBody(response, "{\"id\": \"0123456789abcdef\", \"status\": ") : response
      }
      case "schema": {
        const response = yield* app
        return isSuccess(response) ? replaceBody(response, JSON.stringify({ id: 42, status: ["not", "a", "status"] })) : response
      }
    }
  })
