/**
 * Adobe's OAuth Server-to-Server credential (client id + client secret) and its exchange for an
 * access token at IMS. `AccessToken.layerClientCredentials` caches what `exchange` obtains; use
 * this module directly only to build another token source.
 *
 * The secret goes into the form body of the one request to IMS and nowhere else: it is
 * `Redacted` everywhere, and no error, log or span attribute is built from it or from that
 * request.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as RetryPolicy from "./RetryPolicy.js"
import { AepAuthError } from "./AepError.js"
import * as BaseUrl from "./internal/baseUrl.js"
import { describeCause } from "./internal/describeCause.js"

/**
 * Adobe's IMS host for the credentials of every region.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultImsUrl = "https://ims-na1.adobelogin.com"

/**
 * The scopes an AEP credential is granted, as the Developer Console lists them.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultScopes: ReadonlyArray<string> = [
  "openid",
  "AdobeID",
  "read_organizations",
  "additional_info.projectedProductContext",
  "session"
]

/**
 * Where the token endpoint lives, relative to the IMS URL.
 *
 * @since 0.1.0
 * @category constants
 */
export const tokenPath = "/ims/token/v3"

/**
 * A checked credential.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientCredentials {
  /** The credential's client id: the same value as the API key. */
  readonly clientId: Redacted.Redacted<string>
  readonly clientSecret: Redacted.Redacted<string>
  readonly scopes: ReadonlyArray<string>
  /** Where IMS lives, without a trailing slash. */
  readonly imsUrl: string
}

/**
 * What `make` takes. Plain strings are accepted for convenience and wrapped in `Redacted`;
 * scopes may be one comma-separated string, as `AEP_SCOPES` holds them.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly clientId: string | Redacted.Redacted<string>
  readonly clientSecret: string | Redacted.Redacted<string>
  /** Default: `defaultScopes`. */
  readonly scopes?: string | ReadonlyArray<string> | undefined
  /** Default: `https://ims-na1.adobelogin.com`; https only, except loopback hosts. */
  readonly imsUrl?: string | undefined
}

const redacted = (value: string | Redacted.Redacted<string>): Redacted.Redacted<string> =>
  Redacted.isRedacted(value) ? value : Redacted.make(value)

/**
 * Checks and normalises options. Fails with a ConfigError that names the variable, never its
 * value.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Either.Either<ClientCredentials, ConfigError.ConfigError> => {
  const clientId = redacted(options.clientId)
  if (Redacted.value(clientId).trim() === "") {
    return Either.left(ConfigError.InvalidData(["AEP_CLIENT_ID"], "must not be empty"))
  }
  const clientSecret = redacted(options.clientSecret)
  if (Redacted.value(clientSecret).trim() === "") {
    return Either.left(ConfigError.InvalidData(["AEP_CLIENT_SECRET"], "must not be empty"))
  }
  const given = options.scopes ?? defaultScopes
  const scopes = [
    ...new Set((typeof given === "string" ? [given] : given).flatMap((list) => list.split(",")).map((s) => s.trim()))
  ].filter((scope) => scope !== "")
  if (scopes.length === 0) {
    return Either.left(
      ConfigError.InvalidData(["AEP_SCOPES"], `must list at least one scope, e.g. ${defaultScopes.join(",")}`)
    )
  }
  if (scopes.some((scope) => !/^[\x21-\x7e]+$/.test(scope))) {
    return Either.left(
      ConfigError.InvalidData(["AEP_SCOPES"], "must be scope names separated by commas, without spaces")
    )
  }
  const imsUrl = BaseUrl.parse("AEP_IMS_URL", options.imsUrl ?? defaultImsUrl, defaultImsUrl)
  if (Either.isLeft(imsUrl)) return Either.left(imsUrl.left)
  return Either.right({ clientId, clientSecret, scopes, imsUrl: imsUrl.right })
}

/**
 * The credential the environment configures, if any: none when `AEP_CLIENT_SECRET` is not set.
 * With the secret set, reads `AEP_CLIENT_ID` (or, when that is not set, `AEP_API_KEY`: they are
 * the same value), `AEP_SCOPES` (comma-separated, default `defaultScopes`) and `AEP_IMS_URL`
 * (default `https://ims-na1.adobelogin.com`), and fails when they are incomplete or invalid.
 *
 * @since 0.1.0
 * @category config
 */
export const configOption: Config.Config<Option.Option<ClientCredentials>> = Config.all({
  // Config.redacted would also redact the "is missing" message; the values are wrapped instead.
  clientSecret: Config.option(Config.string("AEP_CLIENT_SECRET")),
  clientId: Config.option(Config.string("AEP_CLIENT_ID")),
  apiKey: Config.option(Config.string("AEP_API_KEY")),
  scopes: Config.option(Config.string("AEP_SCOPES")),
  imsUrl: Config.option(Config.string("AEP_IMS_URL"))
}).pipe(
  Config.mapOrFail((variables) => {
    if (Option.isNone(variables.clientSecret)) return Either.right(Option.none())
    const clientId = Option.orElse(variables.clientId, () => variables.apiKey)
    if (Option.isNone(clientId)) {
      return Either.left(
        ConfigError.MissingData(
          ["AEP_CLIENT_ID"],
          "AEP_CLIENT_ID is not set: OAuth Server-to-Server needs the credential's client id, " +
            "in AEP_CLIENT_ID or AEP_API_KEY"
        )
      )
    }
    return Either.map(
      make({
        clientId: Redacted.make(clientId.value),
        clientSecret: Redacted.make(variables.clientSecret.value),
        scopes: Option.getOrUndefined(variables.scopes),
        imsUrl: Option.getOrUndefined(variables.imsUrl)
      }),
      Option.some
    )
  })
)

/**
 * The credential from the environment (see `configOption`); fails when `AEP_CLIENT_SECRET` is
 * not set.
 *
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<ClientCredentials> = configOption.pipe(
  Config.mapOrFail(Option.match({
    onNone: () => Either.left(ConfigError.MissingData(["AEP_CLIENT_SECRET"], "AEP_CLIENT_SECRET is not set")),
    onSome: Either.right
  }))
)

/**
 * What IMS issued: the token and how long it lives from when it was requested.
 *
 * @since 0.1.0
 * @category models
 */
export interface IssuedToken {
  readonly token: Redacted.Redacted<string>
  readonly expiresIn: Duration.Duration
}

/** Longest piece of an unexpected IMS answer kept in an error. */
const maxDetailLength = 300

/** Largest IMS answer read: a token answer is a few kilobytes. */
const maxAnswerBytes = 256 * 1024

// Longest token lifetime taken from IMS (it grants about a day).
const maxLifetimeSeconds = 366 * 24 * 60 * 60

/**
 * Requests a token: `POST {imsUrl}/ims/token/v3` with the form body
 * `grant_type=client_credentials&client_id=…&client_secret=…&scope=…`. Every failure is an
 * `AepAuthError`: IMS's own `error` / `error_description` when it refused, `ims_unreachable`
 * when it could not be reached, `invalid_response` when it answered with something else.
 *
 * @since 0.1.0
 * @category operations
 */
export const exchange: (
  credentials: ClientCredentials
) => Effect.Effect<IssuedToken, AepAuthError, HttpClient.HttpClient> =
  Effect.fn("ClientCredentials.exchange")(function*(credentials: ClientCredentials) {
    const httpClient = yield* HttpClient.HttpClient
    const url = `${credentials.imsUrl}${tokenPath}`
    const request = HttpClientRequest.post(url).pipe(
      HttpClientRequest.acceptJson,
      // The secret goes in the form body only: IMS refuses it in the query, where proxies and
      // access logs would keep it. HttpClient spans record the URL and headers, not the body.
      HttpClientRequest.bodyUrlParams({
        grant_type: "client_credentials",
        client_id: Redacted.value(credentials.clientId),
        client_secret: Redacted.value(credentials.clientSecret),
        scope: credentials.scopes.join(",")
      })
    )
    // Asking IMS again is harmless (an extra token): throttling, 5xx and an unreachable IMS are
    // retried under the retry policy in force, IMS's Retry-After honoured as for AEP. Each attempt
    // is interruptible even when the exchange runs in an uninterruptible fiber (the token cache
    // forks it so): an attempt timeout that cannot interrupt would wait for IMS however long.
    const [response, text] = yield* RetryPolicy.retry(
      Effect.interruptible(Effect.flatMap(
        httpClient.execute(request).pipe(
          // HttpClient's own span would keep the response, whose body is the token, as its outcome,
          // where any tracer can render it. This span records the request instead, without it.
          Effect.locally(HttpClient.currentTracerDisabledWhen, () => true),
          Effect.mapError((error): Refused => ({ error: unreachable(url, error) }))
        ),
        (response) =>
          Effect.flatMap(
            readText(response, url),
            (text): Effect.Effect<readonly [typeof response, string], Refused> =>
              response.status === 429 || response.status >= 500
                ? Effect.flatMap(Clock.currentTimeMillis, (now) =>
                  Effect.fail({
                    error: new AepAuthError({
                      error: "ims_unavailable",
                      errorDescription: `IMS answered ${response.status}`,
                      status: response.status
                    }),
                    retryAfter: RetryPolicy.parseRetryAfter(response.headers["retry-after"], now)
                  }))
                : Effect.succeed([response, text] as const)
          )
      )),
      {
        isRetryable: ({ error }) => error.error === "ims_unreachable" || error.error === "ims_unavailable",
        throttled: ({ error }) => error.status === 429,
        retryAfter: (refused) => refused.retryAfter,
        onTimeout: (timeout) => ({
          error: new AepAuthError({
            error: "ims_unreachable",
            errorDescription: `IMS at ${url} did not answer within ${Duration.format(timeout)}`
          })
        })
      }
    ).pipe(Effect.mapError((refused) => refused.error))
    yield* Effect.annotateCurrentSpan({
      "http.request.method": "POST",
      "url.full": url,
      "http.response.status_code": response.status
    })
    const scrub = scrubber(credentials)
    if (response.status >= 200 && response.status < 300) {
      // The body holds the token: nothing of it may go into an error, only what was wrong.
      const body = parseJson(text)
      const token = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {}
      const accessToken = token["access_token"]
      const expiresIn = token["expires_in"]
      if (typeof accessToken !== "string" || accessToken.trim() === "") {
        return yield* invalidResponse(response.status, "the answer has no access_token")
      }
      // IMS grants about a day; a lifetime beyond a year is not a token to cache (and a huge one
      // would overflow the cache's clock arithmetic).
      if (typeof expiresIn !== "number" || !Number.isFinite(expiresIn) || expiresIn <= 0 || expiresIn > maxLifetimeSeconds) {
        return yield* invalidResponse(
          response.status,
          `the answer has no expires_in between 0 and ${maxLifetimeSeconds} seconds`
        )
      }
      return { token: Redacted.make(accessToken), expiresIn: Duration.seconds(expiresIn) } satisfies IssuedToken
    }
    const body = parseJson(text)
    const refusal = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {}
    const error = refusal["error"]
    const description = refusal["error_description"]
    if (typeof error === "string" && error !== "") {
      return yield* new AepAuthError({
        error: scrub(shorten(error)),
        ...(typeof description === "string" && description !== ""
          ? { errorDescription: scrub(shorten(description)) }
          : {}),
        status: response.status
      })
    }
    const trimmed = text.trim()
    return yield* invalidResponse(
      response.status,
      `IMS answered without an OAuth error${trimmed === "" ? "" : `: ${scrub(shorten(trimmed))}`}`
    )
  })

// Reads the answer up to `maxAnswerBytes`, then stops reading: a huge or endless answer (from
// whatever stands at the IMS URL) cannot exhaust memory. Larger is not an answer IMS gives.
const readText = (
  response: HttpClientResponse.HttpClientResponse,
  url: string
): Effect.Effect<string, Refused> =>
  Effect.gen(function*() {
    const chunks: Array<Uint8Array> = []
    let size = 0
    yield* response.stream.pipe(
      Stream.catchAll((error) => (error.reason === "EmptyBody" ? Stream.empty : Stream.fail(error))),
      Stream.takeWhile(() => size <= maxAnswerBytes),
      Stream.runForEach((chunk) =>
        Effect.sync(() => {
          chunks.push(chunk)
          size += chunk.length
        })
      ),
      Effect.mapError((error): Refused => ({ error: unreachable(url, error) }))
    )
    if (size > maxAnswerBytes) {
      return yield* Effect.fail<Refused>({
        error: invalidResponse(response.status, `the answer is larger than ${maxAnswerBytes} bytes`)
      })
    }
    const bytes = new Uint8Array(size)
    let offset = 0
    for (const chunk of chunks) {
      bytes.set(chunk, offset)
      offset += chunk.length
    }
    return new TextDecoder().decode(bytes)
  })

// A failed attempt, with how long IMS asked to wait (AepAuthError has no place for it).
interface Refused {
  readonly error: AepAuthError
  readonly retryAfter?: Duration.Duration | undefined
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

const shorten = (text: string): string =>
  text.length <= maxDetailLength ? text : `${text.slice(0, maxDetailLength)}… (${text.length} characters)`

// IMS never echoes the credential, but what stands between us and it (a proxy, a WAF page) might:
// whatever of its answer is kept has the credential's values cut out.
const scrubber = (credentials: ClientCredentials) => (text: string): string =>
  [Redacted.value(credentials.clientSecret), Redacted.value(credentials.clientId)].reduce(
    (acc, value) => (value.length < 4 ? acc : acc.split(value).join("[redacted]")),
    text
  )

const invalidResponse = (status: number, description: string): AepAuthError =>
  new AepAuthError({ error: "invalid_response", errorDescription: description, status })

// Only the runtime's own description of the failure is kept: HttpClientError carries the request,
// and the request carries the secret in its body.
const unreachable = (url: string, error: HttpClientError.HttpClientError): AepAuthError =>
  new AepAuthError({
    error: "ims_unreachable",
    errorDescription: `POST ${url} failed before IMS answered: ${error.reason.toLowerCase()} error: ${
      error.cause === undefined && error.description !== undefined ? error.description : describeCause(error.cause)
    }`
  })
