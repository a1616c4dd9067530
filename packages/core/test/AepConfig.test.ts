import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { assert, describe, it } from "@effect/vitest"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as AepClient from "../src/AepClient.js"
import * as AepConfig from "../src/AepConfig.js"
import * as Batches from "../src/Batches.js"

const orgId = "5C1328435BF324E90A49402A@AdobeOrg"
const apiKey = "key-SECRET-456"
const accessToken = "tok-SECRET-123"

const required: ReadonlyArray<readonly [string, string]> = [
  ["AEP_ORG_ID", orgId],
  ["AEP_API_KEY", apiKey],
  ["AEP_ACCESS_TOKEN", accessToken]
]

const provider = (entries: ReadonlyArray<readonly [string, string]>) =>
  ConfigProvider.fromMap(new Map(entries.map(([key, value]) => [key, value] as [string, string])))

const withEnv = (entries: ReadonlyArray<readonly [string, string]>) => Layer.setConfigProvider(provider(entries))

/** Reads AepConfig through `layerConfig` from exactly these variables. */
const readConfig = (entries: ReadonlyArray<readonly [string, string]>) =>
  AepConfig.AepConfig.pipe(Effect.provide(AepConfig.layerConfig), Effect.withConfigProvider(provider(entries)))

const requests: Array<{ readonly url: string; readonly headers: Readonly<Record<string, string>> }> = []
const recordingHttpClient = Layer.succeed(
  HttpClient.HttpClient,
  HttpClient.make((request, url) =>
    Effect.sync(() => {
      requests.push({ url: url.toString(), headers: { ...request.headers } })
      return HttpClientResponse.fromWeb(
        request,
        new Response(JSON.stringify({ id: "b1", status: "loading" }), { status: 201 })
      )
    })
  )
)

/** The ConfigError a failed effect failed with. */
const configError = <A, R>(effect: Effect.Effect<A, ConfigError.ConfigError, R>) =>
  Effect.gen(function*() {
    const result = yield* Effect.either(effect)
    if (Either.isRight(result)) return assert.fail("expected a ConfigError")
    assert.isTrue(ConfigError.isConfigError(result.left))
    return result.left
  })

describe("AepConfig.layerConfig", () => {
  it.effect("defaults the sandbox to prod and the platform URL to https://platform.adobe.io", () =>
    Effect.gen(function*() {
      const config = yield* readConfig(required)
      assert.strictEqual(config.orgId, orgId)
      assert.strictEqual(config.sandboxName, "prod")
      assert.strictEqual(config.platformUrl, "https://platform.adobe.io")
      assert.strictEqual(Redacted.value(config.apiKey), apiKey)
    }))

  it.effect("reads AEP_SANDBOX_NAME and AEP_PLATFORM_URL when set", () =>
    Effect.gen(function*() {
      const config = yield* readConfig([
        ...required,
        ["AEP_SANDBOX_NAME", "dev-2"],
        ["AEP_PLATFORM_URL", "https://platform-stage.adobe.io"]
      ])
      assert.strictEqual(config.sandboxName, "dev-2")
      assert.strictEqual(config.platformUrl, "https://platform-stage.adobe.io")
    }))

  it.layer(AepConfig.layerConfig.pipe(Layer.provide(withEnv([...required, ["AEP_SANDBOX_NAME", "qa"]]))))(
    "provided through Layer.setConfigProvider",
    (it) => {
      it.effect("reads the variables", () =>
        Effect.gen(function*() {
          const config = yield* AepConfig.AepConfig
          assert.strictEqual(config.sandboxName, "qa")
          assert.strictEqual(config.orgId, orgId)
        }))
    }
  )

  for (const name of ["AEP_ORG_ID", "AEP_API_KEY"]) {
    it.effect(`a missing ${name} fails with a ConfigError naming it`, () =>
      Effect.gen(function*() {
        const error = yield* configError(readConfig(required.filter(([key]) => key !== name)))
        assert.include(String(error), name)
      }))
  }

  it.effect("an empty AEP_ORG_ID is refused", () =>
    Effect.gen(function*() {
      const error = yield* configError(readConfig([...required.filter(([key]) => key !== "AEP_ORG_ID"), ["AEP_ORG_ID", "  "]]))
      assert.include(String(error), "AEP_ORG_ID")
    }))

  it.effect("plain http to a remote host is refused (https required)", () =>
    Effect.gen(function*() {
      const error = yield* configError(readConfig([...required, ["AEP_PLATFORM_URL", "http://example.com"]]))
      assert.include(String(error), "AEP_PLATFORM_URL")
      assert.include(String(error), "https")
    }))

  for (const url of ["http://127.0.0.1:4010", "http://localhost:4010", "http://[::1]:4010"]) {
    it.effect(`plain http to the loopback host ${url} is accepted`, () =>
      Effect.gen(function*() {
        const config = yield* readConfig([...required, ["AEP_PLATFORM_URL", url]])
        assert.strictEqual(config.platformUrl, url)
      }))
  }

  it.effect("the trailing slash is removed", () =>
    Effect.gen(function*() {
      assert.strictEqual(
        (yield* readConfig([...required, ["AEP_PLATFORM_URL", "https://platform.adobe.io/"]])).platformUrl,
        "https://platform.adobe.io"
      )
      assert.strictEqual(
        (yield* readConfig([...required, ["AEP_PLATFORM_URL", "http://127.0.0.1:4010/"]])).platformUrl,
        "http://127.0.0.1:4010"
      )
      assert.strictEqual(
        (yield* readConfig([...required, ["AEP_PLATFORM_URL", "https://proxy.example.com/aep//"]])).platformUrl,
        "https://proxy.example.com/aep"
      )
    }))

  for (
    const url of ["platform.adobe.io", "https://user:pass@platform.adobe.io", "https://platform.adobe.io?x=1", "ftp://platform.adobe.io"]
  ) {
    it.effect(`the platform URL ${url} is refused`, () =>
      Effect.gen(function*() {
        const error = yield* configError(readConfig([...required, ["AEP_PLATFORM_URL", url]]))
        assert.include(String(error), "AEP_PLATFORM_URL")
      }))
  }

  // Only IP literals count as loopback: otherwise the token would travel over plain HTTP to
  // whatever such a name resolves to.
  it.effect("plain http to a DNS name that merely starts with 127. is refused", () =>
    Effect.gen(function*() {
      const error = yield* configError(readConfig([...required, ["AEP_PLATFORM_URL", "http://127.attacker.example"]]))
      assert.include(String(error), "AEP_PLATFORM_URL")
    }))

  // An empty query or fragment leaves `url.search`/`url.hash` empty but would put every request
  // path into the query (or fragment).
  for (const url of ["https://platform.adobe.io/?", "https://platform.adobe.io/#"]) {
    it.effect(`the platform URL ${url} is refused or normalised`, () =>
      Effect.gen(function*() {
        const result = yield* Effect.either(readConfig([...required, ["AEP_PLATFORM_URL", url]]))
        if (Either.isRight(result)) assert.strictEqual(result.right.platformUrl, "https://platform.adobe.io")
      }))
  }

  for (const bad of ["5C1328435BF324E90A49402A", "5C1328435BF324E90A49402A@AdobeOrg\r\nx-evil: 1"]) {
    it.effect(`an AEP_ORG_ID that is not an IMS org id (${JSON.stringify(bad)}) is refused`, () =>
      Effect.gen(function*() {
        const error = yield* configError(readConfig([...required.filter(([key]) => key !== "AEP_ORG_ID"), ["AEP_ORG_ID", bad]]))
        assert.include(AepConfig.describeError(error), "AEP_ORG_ID must be an IMS organization id")
      }))
  }

  it.effect("an upper-case sandbox name is refused", () =>
    Effect.gen(function*() {
      const error = yield* configError(readConfig([...required, ["AEP_SANDBOX_NAME", "Prod"]]))
      assert.include(String(error), "AEP_SANDBOX_NAME")
    }))

  it.effect("the API key is not shown when the config is printed", () =>
    Effect.gen(function*() {
      const config = yield* readConfig(required)
      assert.notInclude(String(config.apiKey), apiKey)
      assert.notInclude(JSON.stringify(config), apiKey)
    }))
})

describe("AepConfig.isLoopback", () => {
  it("is true for loopback addresses and localhost", () => {
    for (const url of ["http://127.0.0.1:4010", "http://127.1.2.3", "http://localhost:4010", "http://[::1]:4010"]) {
      assert.isTrue(AepConfig.isLoopback(new URL(url)), url)
    }
  })

  it("is false for remote hosts", () => {
    for (const url of ["http://example.com", "http://10.0.0.1", "http://128.0.0.1", "http://localhost.example.com"]) {
      assert.isFalse(AepConfig.isLoopback(new URL(url)), url)
    }
  })
})

describe("AepConfig.layer", () => {
  it.effect("wraps a plain-string apiKey in Redacted", () =>
    Effect.gen(function*() {
      const config = yield* AepConfig.AepConfig
      assert.isTrue(Redacted.isRedacted(config.apiKey))
      assert.strictEqual(Redacted.value(config.apiKey), apiKey)
      assert.notInclude(String(config.apiKey), apiKey)
      assert.notInclude(`${config.apiKey}`, apiKey)
      assert.notInclude(JSON.stringify(config), apiKey)
      assert.strictEqual(config.sandboxName, "prod")
      assert.strictEqual(config.platformUrl, "https://platform.adobe.io")
    }).pipe(Effect.provide(AepConfig.layer({ orgId, apiKey }))))

  it.effect("refuses the same bad values as layerConfig", () =>
    Effect.gen(function*() {
      const sandbox = yield* configError(AepConfig.AepConfig.pipe(
        Effect.provide(AepConfig.layer({ orgId, apiKey, sandboxName: "PROD" }))
      ))
      assert.include(String(sandbox), "AEP_SANDBOX_NAME")
      const url = yield* configError(AepConfig.AepConfig.pipe(
        Effect.provide(AepConfig.layer({ orgId, apiKey, platformUrl: "http://platform.adobe.io" }))
      ))
      assert.include(String(url), "AEP_PLATFORM_URL")
      const key = yield* configError(AepConfig.AepConfig.pipe(
        Effect.provide(AepConfig.layer({ orgId, apiKey: Redacted.make("") }))
      ))
      assert.include(String(key), "AEP_API_KEY")
    }))
})

describe("AepClient.layerConfig", () => {
  const clientLayer = AepClient.layerConfig.pipe(Layer.provide(recordingHttpClient))

  it.effect("builds a client from the AEP_* variables that sends their values", () =>
    Effect.gen(function*() {
      const client = yield* AepClient.AepClient
      assert.strictEqual(client.config.sandboxName, "prod")
      assert.strictEqual(client.config.platformUrl, "https://platform.adobe.io")
      const before = requests.length
      const batch = yield* Batches.create({ datasetId: "5c8c3c555033b814b69f947f" })
      assert.strictEqual(batch.id, "b1")
      assert.strictEqual(requests.length, before + 1)
      const request = requests[requests.length - 1]!
      assert.strictEqual(request.url, "https://platform.adobe.io/data/foundation/import/batches")
      assert.strictEqual(request.headers["authorization"], `Bearer ${accessToken}`)
      assert.strictEqual(request.headers["x-api-key"], apiKey)
      assert.strictEqual(request.headers["x-gw-ims-org-id"], orgId)
      assert.strictEqual(request.headers["x-sandbox-name"], "prod")
    }).pipe(Effect.provide(clientLayer), Effect.withConfigProvider(provider(required))))

  for (const name of ["AEP_ORG_ID", "AEP_API_KEY", "AEP_ACCESS_TOKEN"]) {
    it.effect(`a missing ${name} fails with a ConfigError naming it`, () =>
      Effect.gen(function*() {
        const error = yield* configError(
          AepClient.AepClient.pipe(
            Effect.provide(clientLayer),
            Effect.withConfigProvider(provider(required.filter(([key]) => key !== name)))
          )
        )
        assert.include(String(error), name)
      }))
  }

  it.effect("every missing variable is reported at once", () =>
    Effect.gen(function*() {
      const error = yield* configError(
        AepClient.AepClient.pipe(Effect.provide(clientLayer), Effect.withConfigProvider(provider([])))
      )
      for (const name of ["AEP_ORG_ID", "AEP_API_KEY", "AEP_ACCESS_TOKEN"]) {
        assert.include(String(error), name)
        assert.include(AepConfig.describeError(error), name)
      }
    }))

  it.effect("an empty AEP_ACCESS_TOKEN is refused", () =>
    Effect.gen(function*() {
      const error = yield* configError(
        AepClient.AepClient.pipe(
          Effect.provide(clientLayer),
          Effect.withConfigProvider(
            provider([...required.filter(([key]) => key !== "AEP_ACCESS_TOKEN"), ["AEP_ACCESS_TOKEN", " "]])
          )
        )
      )
      assert.include(String(error), "AEP_ACCESS_TOKEN")
    }))

  it.effect("a ConfigError never shows the secrets it was given", () =>
    Effect.gen(function*() {
      const error = yield* configError(
        AepClient.AepClient.pipe(
          Effect.provide(clientLayer),
          Effect.withConfigProvider(provider([...required, ["AEP_PLATFORM_URL", "http://example.com"]]))
        )
      )
      assert.include(String(error), "AEP_PLATFORM_URL")
      assert.notInclude(String(error), apiKey)
      assert.notInclude(String(error), accessToken)
      assert.notInclude(JSON.stringify(error), apiKey)
      assert.notInclude(JSON.stringify(error), accessToken)
      assert.notInclude(AepConfig.describeError(error), apiKey)
      assert.notInclude(AepConfig.describeError(error), accessToken)
    }))
})
