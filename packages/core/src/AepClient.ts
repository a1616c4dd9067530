/**
 * The one place where requests to AEP are sent: it adds the platform URL and the headers every
 * call needs, asks `AccessToken` for the bearer token, and turns every outcome into a value or
 * one of the typed errors. Operations (`Batches`, …) describe requests; this runs them.
 *
 * Bring your own `HttpClient` (the `node` and `edge` packages do), or replace it in tests.
 *
 * @since 0.1.0
 */
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as FiberRef from "effect/FiberRef"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Stream from "effect/Stream"
import type * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as AccessToken from "./AccessToken.js"
import * as AepConfig from "./AepConfig.js"
import * as RetryPolicy from "./RetryPolicy.js"
import {
  AepDecodeError,
  AepHttpError,
  type AepRequestError,
  AepTransportError,
  AepValidationError,
  Issue
} from "./AepError.js"
import { describeCause } from "./internal/describeCause.js"
import * as Issues from "./internal/issues.js"

/**
 * The version sent in `User-Agent`.
 *
 * @since 0.1.0
 * @category constants
 */
export const version = "0.1.0"

/**
 * A request to run: which operation it serves (for errors and spans), the request with a path
 * relative to the platform URL, and what a 2xx answer must decode to.
 *
 * @since 0.1.0
 * @category models
 */
export interface Call<A, I> extends RawCall {
  /** How the expected answer is called in errors, e.g. `Batch`. */
  readonly expected: string
  readonly schema: Schema.Schema<A, I>
  /**
   * For a request that is not safe to repeat: after an ambiguous failure (no answer, or a 5xx:
   * AEP may have acted), look for what the failed attempt may have done before trying again.
   * `Some` ends the call with that value.
   */
  readonly recover?: Effect.Effect<Option.Option<A>, AepRequestError> | undefined
}

/**
 * A request whose 2xx answer is taken as it is: an empty answer, file bytes, JSON lines.
 *
 * @since 0.1.0
 * @category models
 */
export interface RawCall {
  readonly operation: string
  readonly request: HttpClientRequest.HttpClientRequest
  /**
   * Whether sending the request twice has the same effect as once. Default: true for GET, HEAD,
   * PUT, PATCH and DELETE, false for POST.
   */
  readonly idempotent?: boolean | undefined
  /** A file or chunk upload: the upload retry policy applies (longer timeouts). */
  readonly upload?: boolean | undefined
}

/**
 * A 2xx answer as it came.
 *
 * @since 0.1.0
 * @category models
 */
export interface RawAnswer {
  readonly status: number
  readonly headers: Headers.Headers
  readonly requestId: string | undefined
  readonly body: Uint8Array
}

/**
 * @since 0.1.0
 * @category models
 */
export interface AepClient {
  readonly config: AepConfig.AepConfig
  /** Sends the request and decodes a 2xx JSON answer. */
  readonly execute: <A, I>(call: Call<A, I>) => Effect.Effect<A, AepRequestError>
  /** Sends the request and returns a 2xx answer's status, headers and bytes. */
  readonly executeRaw: (call: RawCall) => Effect.Effect<RawAnswer, AepRequestError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export const AepClient: Context.Tag<AepClient, AepClient> = Context.GenericTag<AepClient>("@effect-aep/core/AepClient")

// Spans and logs show header values from this allow-list only; every other value (authorization,
// API key, org id, anything a proxy adds) is redacted, whatever it is called.
const visibleHeaders = /^(?!(?:x-request-id|content-type|content-length|content-range|range|retry-after|user-agent|accept|traceparent|tracestate|b3|x-b3-[a-z]+)$)/i

/** Largest answers read: beyond, a JSON answer is refused, an error body is cut. */
const maxJsonBytes = 16 * 1024 * 1024
const maxRawBytes = 256 * 1024 * 1024
const maxErrorBytes = 64 * 1024

/** Longest AEP error text kept in an `AepHttpError`: enough for any documented message. */
const maxDetailLength = 1000

/**
 * Builds the client from its configuration, token source and HTTP client.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<AepClient, never, AepConfig.AepConfig | AccessToken.AccessToken | HttpClient.HttpClient> =
  Effect.gen(function*() {
    const config = yield* AepConfig.AepConfig
    const tokens = yield* AccessToken.AccessToken
    const httpClient = yield* HttpClient.HttpClient
    const fixedHeaders = Headers.fromInput({
      accept: "application/json",
      "x-api-key": Redacted.value(config.apiKey),
      "x-gw-ims-org-id": config.orgId,
      "x-sandbox-name": config.sandboxName,
      "user-agent": `effect-aep/${version}`
    })

    // Sends one request with `token`; a non-2xx answer becomes an AepHttpError.
    const send = (
      call: RawCall,
      token: Redacted.Redacted<string>
    ): Effect.Effect<readonly [HttpClientResponse.HttpClientResponse, RequestContext, string | undefined], AepRequestError> =>
      Effect.gen(function*() {
        const request = call.request.pipe(
          HttpClientRequest.prependUrl(config.platformUrl),
          HttpClientRequest.setHeaders(fixedHeaders),
          HttpClientRequest.bearerToken(token)
        )
        const context = { operation: call.operation, method: request.method, url: displayUrl(request) }
        const response = yield* httpClient.execute(request).pipe(
          Effect.locally(Headers.currentRedactedNames, [visibleHeaders]),
          Effect.mapError((error) => transportError(context, error))
        )
        const requestId = Option.getOrUndefined(Headers.get(response.headers, "x-request-id"))
        if (response.status < 200 || response.status >= 300) {
          if (response.status === 401) yield* tokens.invalidate(token)
          const now = yield* Clock.currentTimeMillis
          const retryAfter = RetryPolicy.parseRetryAfter(Option.getOrUndefined(Headers.get(response.headers, "retry-after")), now)
          const body = yield* readBounded(context, response, maxErrorBytes)
          const error = httpError(context, response.status, requestId, decoder.decode(body.bytes))
          return yield* (retryAfter === undefined
            ? error
            : new AepHttpError({ ...error, retryAfterMillis: Duration.toMillis(retryAfter) }))
        }
        return [response, context, requestId] as const
      })

    const decodeJson = <A, I>(call: Call<A, I>, token: Redacted.Redacted<string>): Effect.Effect<A, AepRequestError> =>
      Effect.gen(function*() {
        const [response, context, requestId] = yield* send(call, token)
        const notJson = (message: string) =>
          new AepDecodeError({
            ...context,
            status: response.status,
            expected: call.expected,
            issues: [new Issue({ path: "", message })],
            ...optional("requestId", requestId)
          })
        const body = yield* readBounded(context, response, maxJsonBytes)
        if (body.exceeded) return yield* notJson(`the answer is larger than ${maxJsonBytes} bytes`)
        const json = yield* Effect.try({
          try: () => JSON.parse(decoder.decode(body.bytes)) as unknown,
          catch: () => notJson("the body is not JSON")
        })
        return yield* Schema.decodeUnknown(call.schema, { errors: "all" })(json).pipe(
          Effect.mapError((error) =>
            new AepDecodeError({
              ...context,
              status: response.status,
              expected: call.expected,
              issues: Issues.fromParseError(error),
              ...optional("requestId", requestId)
            })
          )
        )
      })

    const readRaw = (call: RawCall, token: Redacted.Redacted<string>): Effect.Effect<RawAnswer, AepRequestError> =>
      Effect.gen(function*() {
        const [response, context, requestId] = yield* send(call, token)
        const body = yield* readBounded(context, response, maxRawBytes)
        if (body.exceeded) {
          return yield* new AepDecodeError({
            ...context,
            status: response.status,
            expected: "an answer of bounded size",
            issues: [new Issue({ path: "", message: `the answer is larger than ${maxRawBytes} bytes` })],
            ...optional("requestId", requestId)
          })
        }
        return { status: response.status, headers: response.headers, requestId, body: body.bytes }
      })

    // AEP refused the token (401013: invalid or expired, e.g. revoked before its time). The
    // refusal came from the gateway, so nothing was done and sending again is safe; once, and
    // only with a different token: a static token would be refused the same way. A streamed body
    // may not be readable twice (and its progress would be reported twice): that request fails,
    // and the next one gets the new token.
    const withToken = <A>(
      call: RawCall,
      attempt: (token: Redacted.Redacted<string>) => Effect.Effect<A, AepRequestError>
    ): Effect.Effect<A, AepRequestError> =>
      Effect.flatMap(tokens.get, (token) =>
        attempt(token).pipe(
          Effect.catchIf(
            (error): error is AepHttpError =>
              error._tag === "AepHttpError" && error.status === 401 && call.request.body._tag !== "Stream",
            (refused) =>
              Effect.flatMap(tokens.get, (fresh) =>
                Redacted.value(fresh) === Redacted.value(token)
                  ? Effect.fail(refused)
                  : Effect.zipRight(
                    Effect.logDebug(`${call.operation}: AEP refused the access token (401); retrying once with a new one`),
                    attempt(fresh)
                  ))
          )
        ))

    const policies = Option.getOrElse(yield* Effect.serviceOption(RetryPolicy.ClientPolicies), () => ({
      request: RetryPolicy.defaults,
      upload: RetryPolicy.uploadDefaults
    }))

    // Sends the call until it succeeds, fails for good, or the policy says stop. Each request is
    // timed; what is retried depends on whether the call is safe to repeat (see `classify`). The
    // timeout bounds the request and its answer, not the wait for a token: the token exchange has
    // its own attempts and timeouts, and a slow IMS is not a request AEP may have acted on.
    const withRetries = <A>(
      call: RawCall,
      attempt: (timed: <X>(request: Effect.Effect<X, AepRequestError>) => Effect.Effect<X, AepRequestError>) => Effect.Effect<A, AepRequestError>,
      recover: Effect.Effect<Option.Option<A>, AepRequestError> | undefined
    ): Effect.Effect<A, AepRequestError> =>
      Effect.gen(function*() {
        const override = yield* FiberRef.get(RetryPolicy.currentOverride)
        const policy = Option.getOrElse(override, () => (call.upload === true ? policies.upload : policies.request))
        const idempotent = call.idempotent ?? call.request.method !== "POST"
        const context = {
          operation: call.operation,
          method: call.request.method,
          url: `${config.platformUrl}${displayUrl(call.request)}`
        }
        const timed = attempt((request) =>
          Effect.timeoutFail(request, {
            duration: policy.attemptTimeout,
            onTimeout: () =>
              new AepTransportError({
                ...context,
                description: `no answer within ${Duration.format(policy.attemptTimeout)}`
              })
          })
        )
        const startedAt = yield* Clock.currentTimeMillis
        for (let n = 1;; n++) {
          const result = yield* Effect.either(timed)
          if (Either.isRight(result)) return result.right
          const error = withAttempts(result.left, n)
          const verdict = classify(error)
          if (verdict === "final" || n >= policy.maxAttempts) return yield* Effect.fail(error)
          if (verdict === "ambiguous" && !idempotent) {
            if (recover === undefined) return yield* Effect.fail(error)
            // AEP may have acted on the failed attempt: find out before acting again.
            const found = yield* Effect.either(recover)
            if (Either.isLeft(found)) return yield* Effect.fail(error)
            if (Option.isSome(found.right)) return found.right.value
          }
          const wait = RetryPolicy.delay(
            policy,
            n,
            yield* Random.next,
            error._tag === "AepHttpError" && error.status === 429,
            error._tag === "AepHttpError" && error.retryAfterMillis !== undefined
              ? Duration.millis(error.retryAfterMillis)
              : undefined
          )
          const now = yield* Clock.currentTimeMillis
          if (now + Duration.toMillis(wait) - startedAt > Duration.toMillis(policy.deadline)) return yield* Effect.fail(error)
          yield* Effect.logDebug(
            `${call.operation}: attempt ${n} failed (${describeFailure(error)}); retrying in ${Duration.format(wait)}`
          )
          yield* Effect.annotateCurrentSpan("aep.attempts", n + 1)
          yield* Effect.sleep(wait)
        }
      })

    const execute = <A, I>(call: Call<A, I>): Effect.Effect<A, AepRequestError> =>
      withRetries(call, (timed) => withToken(call, (token) => timed(decodeJson(call, token))), call.recover)

    const executeRaw = (call: RawCall): Effect.Effect<RawAnswer, AepRequestError> =>
      withRetries(call, (timed) => withToken(call, (token) => timed(readRaw(call, token))), undefined)

    return AepClient.of({ config, execute, executeRaw })
  })

/**
 * The client, given its configuration, token source and HTTP client.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<AepClient, never, AepConfig.AepConfig | AccessToken.AccessToken | HttpClient.HttpClient> =
  Layer.effect(AepClient, make)

/**
 * What `layerWith` takes: the configuration and either a static access token or an OAuth
 * Server-to-Server client secret.
 *
 * @since 0.1.0
 * @category models
 */
export type Options = AepConfig.Options & (StaticTokenOptions | ClientCredentialsOptions)

/**
 * A token obtained elsewhere, used as is.
 *
 * @since 0.1.0
 * @category models
 */
export interface StaticTokenOptions {
  readonly accessToken: string | Redacted.Redacted<string>
}

/**
 * OAuth Server-to-Server: tokens are requested from IMS with the client secret, cached and
 * renewed (see `AccessToken.layerClientCredentials`).
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientCredentialsOptions extends Omit<AccessToken.ClientCredentialsOptions, "clientId"> {
  /** Default: the API key, which is the credential's client id. */
  readonly clientId?: string | Redacted.Redacted<string> | undefined
}

/**
 * The client from explicit values; needs only an `HttpClient` (client credentials call IMS
 * through it too).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWith = (options: Options): Layer.Layer<AepClient, ConfigError.ConfigError, HttpClient.HttpClient> =>
  layer.pipe(
    Layer.provide(AepConfig.layer(options)),
    Layer.provide(
      AccessToken.isClientCredentials(options)
        ? AccessToken.layerClientCredentials({ ...options, clientId: options.clientId ?? options.apiKey })
        : AccessToken.layerStatic(options.accessToken)
    )
  )

/**
 * The client from the `AEP_*` environment variables (see `AepConfig.layerConfig` and
 * `AccessToken.layerConfig`: a static token or client credentials); needs only an `HttpClient`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig: Layer.Layer<AepClient, ConfigError.ConfigError, HttpClient.HttpClient> = Layer.unwrapEffect(
  // One Config for both, so that every missing variable is reported at once.
  Effect.map(Config.all([AepConfig.config, AccessToken.config]), ([config, tokens]) =>
    layer.pipe(Layer.provide(Layer.succeed(AepConfig.AepConfig, config)), Layer.provide(tokens)))
)

/**
 * Decodes an operation's input with `schema`, failing with `AepValidationError` (which names the
 * first wrong field) before anything is sent.
 *
 * @since 0.1.0
 * @category validation
 */
export const validate = <A, I>(
  operation: string,
  schema: Schema.Schema<A, I>,
  input: unknown
): Effect.Effect<A, AepValidationError> =>
  Schema.decodeUnknown(schema, { errors: "all", onExcessProperty: "error" })(input).pipe(
    Effect.mapError((error: ParseResult.ParseError) => {
      const issues = Issues.fromParseError(error)
      return new AepValidationError({ operation, field: issues[0]?.path ?? "", issues })
    })
  )

interface RequestContext {
  readonly operation: string
  readonly method: string
  readonly url: string
}

const optional = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: V }

// The URL as errors show it: no credentials are ever put in URLs, so the whole URL is safe.
const displayUrl = (request: HttpClientRequest.HttpClientRequest): string =>
  request.urlParams.length === 0 ? request.url : `${request.url}?${UrlParams.toString(request.urlParams)}`

/**
 * Whether a failure is worth another attempt: `retry` (AEP did not act: throttled), `ambiguous`
 * (AEP may have acted: no answer, or a 5xx), or `final` (the request or the answer is wrong).
 *
 * @since 0.1.0
 * @category retries
 */
export const classify = (error: AepRequestError): "retry" | "ambiguous" | "final" => {
  switch (error._tag) {
    case "AepHttpError":
      return error.status === 429 ? "retry" : [500, 502, 503, 504].includes(error.status) ? "ambiguous" : "final"
    case "AepTransportError":
      // A refused connection or an unknown host means the request never left: safe to repeat.
      return /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN)\b/.test(error.description) ? "retry" : "ambiguous"
    case "AepDecodeError":
    case "AepAuthError":
      return "final"
  }
}

const withAttempts = (error: AepRequestError, attempts: number): AepRequestError =>
  attempts === 1
    ? error
    : error._tag === "AepHttpError"
    ? new AepHttpError({ ...error, attempts })
    : error._tag === "AepTransportError"
    ? new AepTransportError({ ...error, attempts })
    : error

const describeFailure = (error: AepRequestError): string =>
  error._tag === "AepHttpError" ? `${error.status}${error.errorCode === undefined ? "" : ` ${error.errorCode}`}` : error._tag

const decoder = new TextDecoder()

// Reads at most `limit` bytes (and says whether there was more), then stops reading, so a huge
// or endless answer cannot exhaust memory.
const readBounded = (
  context: RequestContext,
  response: HttpClientResponse.HttpClientResponse,
  limit: number
): Effect.Effect<{ readonly bytes: Uint8Array; readonly exceeded: boolean }, AepTransportError> =>
  declaredWithin(response, limit) ? readWhole(context, response) : readStreamed(context, response, limit)

// Whether the answer says its body is at most `limit` bytes, as it will be read: a Content-Length
// and no Content-Encoding (fetch decompresses, so a compressed length bounds nothing).
const declaredWithin = (response: HttpClientResponse.HttpClientResponse, limit: number): boolean => {
  const length = response.headers["content-length"]
  if (length === undefined || !/^\d+$/.test(length) || Number(length) > limit) return false
  const encoding = response.headers["content-encoding"]
  return encoding === undefined || encoding.trim().toLowerCase() === "identity"
}

// A body of declared, bounded length, read in one piece. Measured (bench/, per-call benchmark):
// reading a small answer as a Stream was over 40% of a create's CPU (the platform's response
// stream also aborts the request's signal when it ends, building a DOMException each time).
const readWhole = (
  context: RequestContext,
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<{ readonly bytes: Uint8Array; readonly exceeded: boolean }, AepTransportError> =>
  response.arrayBuffer.pipe(
    Effect.map((buffer) => ({ bytes: new Uint8Array(buffer), exceeded: false })),
    Effect.catchAll((error) =>
      error.reason === "EmptyBody"
        ? Effect.succeed({ bytes: new Uint8Array(0), exceeded: false })
        : Effect.fail(transportError(context, error))
    )
  )

const readStreamed = (
  context: RequestContext,
  response: HttpClientResponse.HttpClientResponse,
  limit: number
): Effect.Effect<{ readonly bytes: Uint8Array; readonly exceeded: boolean }, AepTransportError> =>
  Effect.gen(function*() {
    const chunks: Array<Uint8Array> = []
    let size = 0
    yield* response.stream.pipe(
      // A body-less answer (204, HEAD, an empty error) is an empty body, not a failure.
      Stream.catchAll((error) =>
        error.reason === "EmptyBody" ? Stream.empty : Stream.fail(transportError(context, error))
      ),
      Stream.takeWhile(() => size <= limit),
      Stream.runForEach((chunk) =>
        Effect.sync(() => {
          chunks.push(chunk)
          size += chunk.length
        })
      )
    )
    const bytes = new Uint8Array(Math.min(size, limit))
    let offset = 0
    for (const chunk of chunks) {
      const take = Math.min(chunk.length, bytes.length - offset)
      bytes.set(chunk.subarray(0, take), offset)
      offset += take
      if (offset === bytes.length) break
    }
    return { bytes, exceeded: size > limit }
  })

// Only the error's own messages and codes are kept: the request (with its headers) that
// platform errors carry must not travel into ours.
const transportError = (context: RequestContext, error: HttpClientError.HttpClientError): AepTransportError =>
  new AepTransportError({
    ...context,
    description: `${error.reason.toLowerCase()} error: ${
      error.cause === undefined && error.description !== undefined ? error.description : describeCause(error.cause)
    }`
  })

const GatewayError = Schema.Struct({ error_code: Schema.Union(Schema.String, Schema.Number), message: Schema.optional(Schema.String) })
const ProblemError = Schema.Struct({
  type: Schema.optional(Schema.String),
  title: Schema.optional(Schema.String),
  detail: Schema.optional(Schema.String),
  message: Schema.optional(Schema.String)
})
const isGatewayError = Schema.is(GatewayError)
const isProblemError = Schema.is(ProblemError)

const shorten = (text: string): string =>
  text.length <= maxDetailLength ? text : `${text.slice(0, maxDetailLength)}… (${text.length} characters)`

/**
 * Reads either of AEP's two error forms; anything else is kept as (shortened) text.
 */
const httpError = (context: RequestContext, status: number, requestId: string | undefined, text: string): AepHttpError => {
  const base = { ...context, status, ...optional("requestId", requestId) }
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    body = undefined
  }
  if (isGatewayError(body)) {
    return new AepHttpError({
      ...base,
      errorCode: String(body.error_code),
      detail: shorten(body.message ?? "(no message)")
    })
  }
  if (isProblemError(body) && (body.title !== undefined || body.detail !== undefined || body.type !== undefined)) {
    // Services name the error in the last segment of `type`, e.g. …/errors/XDM-1010-400.
    const code = body.type?.match(/([A-Z]+-\d+-\d+)\/?$/)?.[1]
    return new AepHttpError({
      ...base,
      ...optional("errorCode", code),
      ...optional("title", body.title),
      detail: shorten(body.detail ?? body.message ?? body.title ?? body.type ?? "(no detail)")
    })
  }
  const trimmed = text.trim()
  return new AepHttpError({ ...base, detail: trimmed === "" ? "(empty body)" : shorten(trimmed) })
}
