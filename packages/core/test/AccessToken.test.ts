import type * as HttpBody from "@effect/platform/HttpBody"
import * as RetryPolicy from "../src/RetryPolicy.js"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as AccessToken from "../src/AccessToken.js"
import * as AepClient from "../src/AepClient.js"
import * as AepConfig from "../src/AepConfig.js"
import { AepAuthError, AepHttpError } from "../src/AepError.js"
import * as Batches from "../src/Batches.js"
import * as ClientCredentials from "../src/ClientCredentials.js"

// Distinctive values: none of them may ever show up in an error.
const clientId = "client-ID-789"
const clientSecret = "p8e-SECRET-s3cr3t-value"
const orgId = "5C1328435BF324E90A49402A@AdobeOrg"
const datasetId = "5c8c3c555033b814b69f947f"
const batchId = "5d01230fc78a4e4f8c0c6b387b4b8d1c"
const hour = 3600

interface Recorded {
  readonly method: string
  readonly url: URL
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | undefined
}

interface Answer {
  readonly status: number
  readonly body?: unknown
}

type Responder = (recorded: Recorded, request: HttpClientRequest.HttpClientRequest) => Effect.Effect<
  Answer | HttpClientError.HttpClientError
>

/** What reached IMS and the platform, and the tokens IMS issued, in order. */
class Recorder extends Context.Tag("test/Recorder")<Recorder, {
  readonly ims: Array<Recorded>
  readonly platform: Array<Recorded>
  readonly issued: Array<string>
}>() {}

const bodyText = (body: HttpBody.HttpBody): string | undefined =>
  body._tag === "Uint8Array" ? new TextDecoder().decode(body.body) : undefined

/**
 * An HttpClient playing IMS (`/ims/token/v3`, issuing `token-1`, `token-2`, … valid for
 * `expiresIn` seconds unless `ims` answers otherwise) and the platform (`platform`, default
 * 201 with a batch).
 */
const fakeAdobe = (options: {
  readonly expiresIn?: number
  readonly ims?: Responder
  readonly platform?: Responder
} = {}) => {
  const recorder = { ims: [] as Array<Recorded>, platform: [] as Array<Recorded>, issued: [] as Array<string> }
  const issue: Responder = () =>
    Effect.sync(() => {
      const token = `token-${recorder.issued.length + 1}`
      recorder.issued.push(token)
      return { status: 200, body: { access_token: token, token_type: "bearer", expires_in: options.expiresIn ?? hour } }
    })
  const created: Responder = () => Effect.succeed({ status: 201, body: { id: batchId, status: "loading" } })
  const httpClient = HttpClient.make((request, url) =>
    Effect.gen(function*() {
      const recorded: Recorded = { method: request.method, url, headers: { ...request.headers }, body: bodyText(request.body) }
      const isIms = url.pathname.endsWith(ClientCredentials.tokenPath)
      ;(isIms ? recorder.ims : recorder.platform).push(recorded)
      const answer = yield* (isIms ? options.ims ?? issue : options.platform ?? created)(recorded, request)
      if (HttpClientError.isHttpClientError(answer)) return yield* Effect.fail(answer)
      return HttpClientResponse.fromWeb(
        request,
        new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
          status: answer.status,
          headers: { "content-type": "application/json" }
        })
      )
    })
  )
  return { recorder, httpClient: Layer.succeed(HttpClient.HttpClient, httpClient), issue }
}

const credentials = { clientId, clientSecret }

/** The client-credentials token source over a fake Adobe, with its recorder. */
const tokensLayer = (
  adobe: ReturnType<typeof fakeAdobe>,
  options: Partial<AccessToken.ClientCredentialsOptions> = {}
): Layer.Layer<AccessToken.AccessToken | Recorder> =>
  Layer.merge(
    AccessToken.layerClientCredentials({ ...credentials, ...options }).pipe(Layer.provide(adobe.httpClient), Layer.orDie),
    Layer.succeed(Recorder, adobe.recorder)
  )

const get = Effect.flatMap(AccessToken.AccessToken, (tokens) => Effect.map(tokens.get, Redacted.value))
const recorder = Recorder

/** The renderings of an error a person or a log pipeline may see. */
const renderings = (error: unknown, cause: Cause.Cause<unknown>) => ({
  message: (error as Error).message,
  string: String(error),
  json: JSON.stringify(error),
  pretty: Cause.pretty(cause)
})

const assertNoSecret = (error: unknown, cause: Cause.Cause<unknown>, values: ReadonlyArray<string> = [clientSecret]) => {
  for (const [how, text] of Object.entries(renderings(error, cause))) {
    for (const value of values) assert.notInclude(text, value, `${value} in ${how}`)
  }
}

/** The typed failure of `effect`, which must fail (not die, not succeed). */
const failure = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const exit = yield* Effect.exit(effect)
    if (Exit.isSuccess(exit)) return assert.fail("expected a failure")
    const error = Cause.failureOption(exit.cause)
    if (Option.isNone(error)) return assert.fail(`expected a typed failure, got ${Cause.pretty(exit.cause)}`)
    return { error: error.value, cause: exit.cause }
  })

/** Waits until every fiber is suspended (here: waiting on the one exchange under way). */
const allSuspended = (fibers: ReadonlyArray<Fiber.RuntimeFiber<unknown, unknown>>) =>
  Effect.forEach(fibers, (fiber) =>
    Fiber.status(fiber).pipe(
      Effect.tap(() => Effect.yieldNow()),
      Effect.repeat({ until: (status) => status._tag === "Suspended" })
    ), { discard: true })

describe("AccessToken.layerClientCredentials", () => {
  it.effect("POSTs the credential to IMS as a form body, the secret in the body only", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* get, "token-1")
      const { ims } = yield* recorder
      assert.strictEqual(ims.length, 1)
      const call = ims[0]!
      assert.strictEqual(call.method, "POST")
      assert.strictEqual(call.url.toString(), "https://ims-na1.adobelogin.com/ims/token/v3")
      assert.strictEqual(call.headers["content-type"], "application/x-www-form-urlencoded")
      const form = new URLSearchParams(call.body)
      assert.deepStrictEqual([...form.keys()].sort(), ["client_id", "client_secret", "grant_type", "scope"])
      assert.strictEqual(form.get("grant_type"), "client_credentials")
      assert.strictEqual(form.get("client_id"), clientId)
      assert.strictEqual(form.get("client_secret"), clientSecret)
      assert.strictEqual(form.get("scope"), "openid,AdobeID,read_organizations,additional_info.projectedProductContext,session")
      assert.notInclude(call.url.toString(), clientSecret)
      assert.notInclude(JSON.stringify(call.headers), clientSecret)
    }).pipe(Effect.provide(tokensLayer(fakeAdobe()))))

  it.effect("sends the configured scopes and IMS URL", () =>
    Effect.gen(function*() {
      yield* get
      const [call] = (yield* recorder).ims
      assert.strictEqual(call!.url.toString(), "https://ims-eu1.example.com/base/ims/token/v3")
      assert.strictEqual(new URLSearchParams(call!.body).get("scope"), "openid,AdobeID,custom.scope")
    }).pipe(Effect.provide(tokensLayer(fakeAdobe(), {
      scopes: " openid, AdobeID,,custom.scope ",
      imsUrl: "https://ims-eu1.example.com/base/"
    }))))

  it.effect("reuses the token until 5 minutes before it expires, then refreshes it once", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* get, "token-1")
      yield* TestClock.adjust("54 minutes")
      assert.strictEqual(yield* get, "token-1")
      yield* TestClock.adjust("59 seconds")
      assert.strictEqual(yield* get, "token-1")
      assert.strictEqual((yield* recorder).ims.length, 1)
      yield* TestClock.adjust("1 second") // 55 minutes: 5 before the hour the token lives
      const tokens = yield* Effect.all(Array.from({ length: 50 }, () => get), { concurrency: "unbounded" })
      assert.deepStrictEqual(new Set(tokens), new Set(["token-2"]))
      assert.strictEqual((yield* recorder).ims.length, 2)
      // The new token is timed from its own request.
      yield* TestClock.adjust("54 minutes")
      assert.strictEqual(yield* get, "token-2")
      assert.strictEqual((yield* recorder).ims.length, 2)
    }).pipe(Effect.provide(tokensLayer(fakeAdobe({ expiresIn: hour })))))

  it.effect("the refresh margin is configurable", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* get, "token-1")
      yield* TestClock.adjust("49 minutes")
      assert.strictEqual(yield* get, "token-1")
      yield* TestClock.adjust("1 minute")
      assert.strictEqual(yield* get, "token-2")
    }).pipe(Effect.provide(tokensLayer(fakeAdobe({ expiresIn: hour }), { refreshMargin: "10 minutes" }))))

  it.effect("a token living less than twice the margin is renewed at half its life, not on every call", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* get, "token-1")
      yield* TestClock.adjust("59 seconds")
      assert.strictEqual(yield* get, "token-1")
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* get, "token-2")
      assert.strictEqual((yield* recorder).ims.length, 2)
    }).pipe(Effect.provide(tokensLayer(fakeAdobe({ expiresIn: 120 })))))

  it.effect("concurrent callers on a cold cache cause one exchange and all wait on it", () =>
    Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      const adobe = fakeAdobe({ ims: (recorded, request) => Effect.zipRight(Deferred.await(gate), adobe.issue(recorded, request)) })
      yield* Effect.gen(function*() {
        const fibers = yield* Effect.forEach(Array.from({ length: 200 }), () => Effect.fork(get))
        yield* allSuspended(fibers)
        assert.strictEqual(adobe.recorder.ims.length, 1)
        yield* Deferred.succeed(gate, undefined)
        const tokens = yield* Fiber.joinAll(fibers)
        assert.strictEqual(tokens.length, 200)
        assert.deepStrictEqual(new Set(tokens), new Set(["token-1"]))
        assert.strictEqual(adobe.recorder.ims.length, 1)
      }).pipe(Effect.provide(tokensLayer(adobe)))
    }))

  it.effect("a caller interrupted while the exchange is under way does not abandon the others", () =>
    Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      const adobe = fakeAdobe({ ims: (recorded, request) => Effect.zipRight(Deferred.await(gate), adobe.issue(recorded, request)) })
      yield* Effect.gen(function*() {
        const first = yield* Effect.fork(get)
        const second = yield* Effect.fork(get)
        yield* allSuspended([first, second])
        yield* Fiber.interrupt(first)
        yield* Deferred.succeed(gate, undefined)
        assert.strictEqual(yield* Fiber.join(second), "token-1")
        assert.strictEqual(yield* get, "token-1")
        assert.strictEqual(adobe.recorder.ims.length, 1)
      }).pipe(Effect.provide(tokensLayer(adobe)))
    }))

  it.effect("a failed exchange fails everyone waiting on it, and is not cached", () =>
    Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      let refuse = true
      const adobe = fakeAdobe({
        ims: (recorded, request) =>
          Effect.zipRight(
            Deferred.await(gate),
            refuse
              ? Effect.succeed({ status: 401, body: { error: "invalid_client", error_description: "invalid client_secret parameter" } })
              : adobe.issue(recorded, request)
          )
      })
      yield* Effect.gen(function*() {
        const fibers = yield* Effect.forEach(Array.from({ length: 20 }), () => Effect.fork(Effect.either(get)))
        yield* allSuspended(fibers)
        yield* Deferred.succeed(gate, undefined)
        const results = yield* Fiber.joinAll(fibers)
        assert.strictEqual(adobe.recorder.ims.length, 1)
        for (const result of results) {
          assert.isTrue(Either.isLeft(result))
          if (Either.isLeft(result)) {
            assert.instanceOf(result.left, AepAuthError)
            assert.strictEqual(result.left.error, "invalid_client")
            assert.strictEqual(result.left.errorDescription, "invalid client_secret parameter")
            assert.strictEqual(result.left.status, 401)
          }
        }
        // Fixed at IMS (e.g. the secret was rotated back): the next caller asks again, at once.
        refuse = false
        assert.strictEqual(yield* get, "token-1")
        assert.strictEqual(adobe.recorder.ims.length, 2)
      }).pipe(Effect.provide(tokensLayer(adobe)))
    }))

  it.effect("invalidate forgets the current token, and ignores a token already replaced", () =>
    Effect.gen(function*() {
      const tokens = yield* AccessToken.AccessToken
      const first = yield* tokens.get
      yield* tokens.invalidate(first)
      const second = yield* tokens.get
      assert.strictEqual(Redacted.value(second), "token-2")
      // A caller still holding the first token reports it late: the second one stays.
      yield* tokens.invalidate(first)
      yield* tokens.invalidate(Redacted.make("token-1"))
      assert.strictEqual(yield* get, "token-2")
      assert.strictEqual((yield* recorder).ims.length, 2)
    }).pipe(Effect.provide(tokensLayer(fakeAdobe()))))
})

describe("ClientCredentials.exchange failures", () => {
  const exchangeWith = (ims: Responder) =>
    Effect.gen(function*() {
      const adobe = fakeAdobe({ ims })
      const { cause, error } = yield* failure(get.pipe(Effect.provide(tokensLayer(adobe))))
      assert.instanceOf(error, AepAuthError)
      assertNoSecret(error, cause)
      return error as AepAuthError
    })

  it.effect("IMS's OAuth error is kept, with the status and a hint", () =>
    Effect.gen(function*() {
      const error = yield* exchangeWith(() =>
        Effect.succeed({ status: 400, body: { error: "invalid_scope", error_description: "scope is not allowed" } })
      )
      assert.strictEqual(error.error, "invalid_scope")
      assert.strictEqual(error.errorDescription, "scope is not allowed")
      assert.strictEqual(error.status, 400)
      assert.include(error.message, "AEP_SCOPES")
    }))

  it.effect("IMS unreachable is ims_unreachable, naming the URL, never the request body", () =>
    Effect.gen(function*() {
      const error = yield* exchangeWith((_, request) =>
        Effect.succeed(
          new HttpClientError.RequestError({
            request,
            reason: "Transport",
            cause: new TypeError("fetch failed", {
              cause: Object.assign(new Error("getaddrinfo ENOTFOUND ims-na1.adobelogin.com"), { code: "ENOTFOUND" })
            })
          })
        )
      )
      assert.strictEqual(error.error, "ims_unreachable")
      assert.isUndefined(error.status)
      assert.include(error.errorDescription, "https://ims-na1.adobelogin.com/ims/token/v3")
      assert.include(error.errorDescription, "ENOTFOUND")
      assert.include(error.message, "AEP_IMS_URL")
    }).pipe(RetryPolicy.withPolicy(RetryPolicy.disabled)))

  it.effect("a 2xx answer without a token is invalid_response, and shows nothing of the answer", () =>
    Effect.gen(function*() {
      const error = yield* exchangeWith(() =>
        Effect.succeed({ status: 200, body: { access_token: "tok-LEAK-1", expires_in: "soon" } })
      )
      assert.strictEqual(error.error, "invalid_response")
      assert.include(error.errorDescription, "expires_in")
      assert.notInclude(JSON.stringify(error), "tok-LEAK-1")
      assert.notInclude(error.message, "tok-LEAK-1")
    }))

  it.effect("an answer that is not OAuth is kept shortened, with the credential cut out", () =>
    Effect.gen(function*() {
      const error = yield* exchangeWith((recorded) =>
        Effect.succeed({ status: 403, body: `blocked by proxy: ${recorded.body ?? ""} ${"x".repeat(2000)}` })
      )
      assert.strictEqual(error.error, "invalid_response")
      assert.strictEqual(error.status, 403)
      assert.include(error.errorDescription, "blocked by proxy")
      assert.isBelow(error.errorDescription!.length, 500)
    }))
})

describe("AepClient with client credentials", () => {
  const clientLayer = (adobe: ReturnType<typeof fakeAdobe>) =>
    Layer.merge(
      AepClient.layerWith({ orgId, apiKey: clientId, clientSecret }).pipe(Layer.provide(adobe.httpClient), Layer.orDie),
      Layer.succeed(Recorder, adobe.recorder)
    )
  const refused = { status: 401, body: { error_code: "401013", message: "Oauth token is not valid" } }

  it.effect("the client id defaults to the API key; the token goes in Authorization", () =>
    Effect.gen(function*() {
      yield* Batches.create({ datasetId })
      const { ims, platform } = yield* recorder
      assert.strictEqual(new URLSearchParams(ims[0]!.body).get("client_id"), clientId)
      assert.strictEqual(platform[0]!.headers["authorization"], "Bearer token-1")
      assert.strictEqual(platform[0]!.headers["x-api-key"], clientId)
    }).pipe(Effect.provide(clientLayer(fakeAdobe()))))

  it.effect("a 401013 renews the token and sends the request again, once", () =>
    Effect.gen(function*() {
      const batch = yield* Batches.create({ datasetId })
      assert.strictEqual(batch.id, batchId)
      const { ims, platform } = yield* recorder
      assert.strictEqual(ims.length, 2)
      assert.deepStrictEqual(platform.map((call) => call.headers["authorization"]), ["Bearer token-1", "Bearer token-2"])
      assert.strictEqual(platform[1]!.body, platform[0]!.body)
    }).pipe(Effect.provide(clientLayer(fakeAdobe({
      platform: (recorded) =>
        Effect.succeed(
          recorded.headers["authorization"] === "Bearer token-1" ? refused : { status: 201, body: { id: batchId, status: "loading" } }
        )
    })))))

  it.effect("a second 401 surfaces as AepHttpError; no third request", () =>
    Effect.gen(function*() {
      const { cause, error } = yield* failure(Batches.create({ datasetId }))
      assert.instanceOf(error, AepHttpError)
      assert.strictEqual((error as AepHttpError).status, 401)
      assert.strictEqual((error as AepHttpError).errorCode, "401013")
      const { ims, platform } = yield* recorder
      assert.strictEqual(platform.length, 2)
      assert.strictEqual(ims.length, 2)
      assertNoSecret(error, cause, [clientSecret, "token-1", "token-2"])
    }).pipe(Effect.provide(clientLayer(fakeAdobe({ platform: () => Effect.succeed(refused) })))))

  it.effect("a streamed body is not sent twice: the request fails, the next one has the new token", () =>
    Effect.gen(function*() {
      const client = yield* AepClient.AepClient
      const upload = client.executeRaw({
        operation: "Files.upload",
        request: HttpClientRequest.put("/data/foundation/import/batches/b/datasets/d/files/f").pipe(
          HttpClientRequest.bodyStream(Stream.make(new Uint8Array([1, 2, 3])), { contentLength: 3 })
        )
      })
      const error = yield* Effect.flip(upload)
      assert.strictEqual(error._tag, "AepHttpError")
      assert.strictEqual((yield* recorder).platform.length, 1)
      yield* upload
      assert.deepStrictEqual((yield* recorder).platform.map((call) => call.headers["authorization"]), [
        "Bearer token-1",
        "Bearer token-2"
      ])
    }).pipe(Effect.provide(clientLayer(fakeAdobe({
      platform: (recorded) =>
        Effect.succeed(recorded.headers["authorization"] === "Bearer token-1" ? refused : { status: 200 })
    })))))

  it.effect("a static token refused with 401 is not sent again", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Batches.create({ datasetId }))
      assert.strictEqual(error._tag, "AepHttpError")
      assert.strictEqual((yield* recorder).platform.length, 1)
      assert.strictEqual((yield* recorder).ims.length, 0)
    }).pipe(Effect.provide((() => {
      const adobe = fakeAdobe({ platform: () => Effect.succeed(refused) })
      return Layer.merge(
        AepClient.layerWith({ orgId, apiKey: clientId, accessToken: "static-token" }).pipe(
          Layer.provide(adobe.httpClient),
          Layer.orDie
        ),
        Layer.succeed(Recorder, adobe.recorder)
      )
    })())))

  it.effect("an IMS refusal fails the operation with AepAuthError and sends nothing to the platform", () =>
    Effect.gen(function*() {
      const { cause, error } = yield* failure(Batches.create({ datasetId }))
      assert.instanceOf(error, AepAuthError)
      assert.strictEqual((error as AepAuthError).error, "invalid_client")
      assert.strictEqual((yield* recorder).platform.length, 0)
      assertNoSecret(error, cause)
    }).pipe(Effect.provide(clientLayer(fakeAdobe({
      ims: () => Effect.succeed({ status: 401, body: { error: "invalid_client", error_description: "invalid client_secret parameter" } })
    })))))
})

describe("AccessToken.layerConfig", () => {
  const provider = (entries: Record<string, string>) => ConfigProvider.fromMap(new Map(Object.entries(entries)))

  /** Builds the token source from exactly these variables and asks it for a token. */
  const tokenFrom = (entries: Record<string, string>) => {
    const adobe = fakeAdobe()
    return get.pipe(
      Effect.provide(AccessToken.layerConfig.pipe(Layer.provide(adobe.httpClient))),
      Effect.withConfigProvider(provider(entries)),
      Effect.map((token) => ({ token, ims: adobe.recorder.ims }))
    )
  }

  const configError = (entries: Record<string, string>) =>
    Effect.gen(function*() {
      const result = yield* Effect.either(tokenFrom(entries))
      if (Either.isRight(result)) return assert.fail("expected a ConfigError")
      assert.isTrue(ConfigError.isConfigError(result.left))
      const error = result.left as ConfigError.ConfigError
      for (const text of [String(error), JSON.stringify(error), AepConfig.describeError(error)]) {
        assert.notInclude(text, clientSecret)
      }
      return AepConfig.describeError(error)
    })

  it.effect("AEP_ACCESS_TOKEN alone: the static token, no IMS", () =>
    Effect.gen(function*() {
      const { ims, token } = yield* tokenFrom({ AEP_ACCESS_TOKEN: "static-token" })
      assert.strictEqual(token, "static-token")
      assert.strictEqual(ims.length, 0)
    }))

  it.effect("AEP_CLIENT_SECRET set: client credentials, even with AEP_ACCESS_TOKEN set too", () =>
    Effect.gen(function*() {
      const { ims, token } = yield* tokenFrom({
        AEP_ACCESS_TOKEN: "static-token",
        AEP_CLIENT_ID: clientId,
        AEP_CLIENT_SECRET: clientSecret
      })
      assert.strictEqual(token, "token-1")
      assert.strictEqual(ims.length, 1)
    }))

  it.effect("AEP_API_KEY stands for AEP_CLIENT_ID; AEP_CLIENT_ID wins when both are set", () =>
    Effect.gen(function*() {
      const fromApiKey = yield* tokenFrom({ AEP_API_KEY: "the-api-key", AEP_CLIENT_SECRET: clientSecret })
      assert.strictEqual(new URLSearchParams(fromApiKey.ims[0]!.body).get("client_id"), "the-api-key")
      const both = yield* tokenFrom({ AEP_API_KEY: "the-api-key", AEP_CLIENT_ID: clientId, AEP_CLIENT_SECRET: clientSecret })
      assert.strictEqual(new URLSearchParams(both.ims[0]!.body).get("client_id"), clientId)
    }))

  it.effect("reads AEP_SCOPES, AEP_IMS_URL and AEP_TOKEN_REFRESH_MARGIN", () =>
    Effect.gen(function*() {
      const { ims } = yield* tokenFrom({
        AEP_CLIENT_ID: clientId,
        AEP_CLIENT_SECRET: clientSecret,
        AEP_SCOPES: "openid,AdobeID",
        AEP_IMS_URL: "http://127.0.0.1:4555",
        AEP_TOKEN_REFRESH_MARGIN: "10 minutes"
      })
      assert.strictEqual(ims[0]!.url.toString(), "http://127.0.0.1:4555/ims/token/v3")
      assert.strictEqual(new URLSearchParams(ims[0]!.body).get("scope"), "openid,AdobeID")
    }))

  it.effect("neither a token nor a secret: says both ways to fix it", () =>
    Effect.gen(function*() {
      assert.strictEqual(
        yield* configError({}),
        "AEP_ACCESS_TOKEN is not set: set it to a bearer token, or set AEP_CLIENT_SECRET for OAuth Server-to-Server"
      )
    }))

  it.effect("a secret without a client id names AEP_CLIENT_ID and AEP_API_KEY", () =>
    Effect.gen(function*() {
      const text = yield* configError({ AEP_CLIENT_SECRET: clientSecret })
      assert.include(text, "AEP_CLIENT_ID is not set")
      assert.include(text, "AEP_API_KEY")
    }))

  for (
    const [name, value, expected] of [
      ["AEP_IMS_URL", "http://ims.example.com", "AEP_IMS_URL must use https"],
      ["AEP_IMS_URL", "https://user:pass@ims.example.com", "AEP_IMS_URL must be a base URL"],
      ["AEP_SCOPES", " , ", "AEP_SCOPES must list at least one scope"],
      ["AEP_SCOPES", "openid AdobeID", "AEP_SCOPES must be scope names separated by commas"],
      ["AEP_TOKEN_REFRESH_MARGIN", "soon", "AEP_TOKEN_REFRESH_MARGIN must be a finite duration"],
      ["AEP_CLIENT_SECRET", " ", "AEP_CLIENT_SECRET must not be empty"]
    ] as const
  ) {
    it.effect(`${name}=${JSON.stringify(value)} is refused`, () =>
      Effect.gen(function*() {
        const text = yield* configError({ AEP_CLIENT_ID: clientId, AEP_CLIENT_SECRET: clientSecret, [name]: value })
        assert.include(text, expected)
      }))
  }

  it.effect("a malformed AEP_TOKEN_REFRESH_MARGIN does not matter to a static token", () =>
    Effect.gen(function*() {
      const { token } = yield* tokenFrom({ AEP_ACCESS_TOKEN: "static-token", AEP_TOKEN_REFRESH_MARGIN: "soon" })
      assert.strictEqual(token, "static-token")
    }))

  it.effect("the ConfigError of a whole client lists every missing variable", () =>
    Effect.gen(function*() {
      const error = yield* Layer.build(AepClient.layerConfig.pipe(Layer.provide(fakeAdobe().httpClient))).pipe(
        Effect.scoped,
        Effect.withConfigProvider(provider({})),
        Effect.flip
      )
      assert.strictEqual(
        AepConfig.describeError(error),
        [
          "AEP_ORG_ID is not set",
          "AEP_API_KEY is not set",
          "AEP_ACCESS_TOKEN is not set: set it to a bearer token, or set AEP_CLIENT_SECRET for OAuth Server-to-Server"
        ].join("\n")
      )
    }))
})
