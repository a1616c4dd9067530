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
import * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as AccessToken from "./AccessToken.js"
import * as AepConfig from "./AepConfig.js"
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
export interface Call<A, I> {
  readonly operation: string
  readonly request: HttpClientRequest.HttpClientRequest
  /** How the expected answer is called in errors, e.g. `Batch`. */
  readonly expected: string
  readonly schema: Schema.Schema<A, I>
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

// Header values that must never reach a span or a log: the platform's defaults (authorization,
// x-api-key, cookies) plus the org id.
const redactedHeaderNames = ["x-gw-ims-org-id"]

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
          Effect.locallyWith(Headers.currentRedactedNames, (names) => [...names, ...redactedHeaderNames]),
          Effect.mapError((error) => transportError(context, error))
        )
        const requestId = Option.getOrUndefined(Headers.get(response.headers, "x-request-id"))
        if (response.status < 200 || response.status >= 300) {
          if (response.status === 401) yield* tokens.invalidate(token)
          return yield* Effect.flatMap(
            readText(context, response),
            (text) => Effect.fail(httpError(context, response.status, requestId, text))
          )
        }
        return [response, context, requestId] as const
      })

    const decodeJson = <A, I>(call: Call<A, I>, token: Redacted.Redacted<string>): Effect.Effect<A, AepRequestError> =>
      Effect.gen(function*() {
        const [response, context, requestId] = yield* send(call, token)
        const json = yield* response.json.pipe(
          Effect.mapError((error): AepDecodeError | AepTransportError =>
            error.reason === "Decode"
              ? new AepDecodeError({
                ...context,
                status: response.status,
                expected: call.expected,
                issues: [new Issue({ path: "", message: "the body is not JSON" })],
                ...optional("requestId", requestId)
              })
              : transportError(context, error)
          )
        )
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
        const body = yield* Effect.mapError(response.arrayBuffer, (error) => transportError(context, error))
        return { status: response.status, headers: response.headers, requestId, body: new Uint8Array(body) }
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

    const execute = <A, I>(call: Call<A, I>): Effect.Effect<A, AepRequestError> =>
      withToken(call, (token) => decodeJson(call, token))

    const executeRaw = (call: RawCall): Effect.Effect<RawAnswer, AepRequestError> =>
      withToken(call, (token) => readRaw(call, token))

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

const readText = (
  context: RequestContext,
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<string, AepTransportError> =>
  response.text.pipe(Effect.mapError((error) => transportError(context, error)))

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
