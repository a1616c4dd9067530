/**
 * OAuth Server-to-Server against the emulator's IMS and gateway, over loopback through the Node
 * adapter: what the token cache costs IMS, and what a revoked or expired token costs callers.
 */
import { AepConfig, Batches, RetryPolicy } from "@effect-aep/core"
import { AepNode } from "@effect-aep/node"
import { Demo, Emulator } from "@effect-aep/emulator"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Either, Layer, TestClock } from "effect"
import { createServer } from "node:net"

// IMS and the platform share the emulator's origin.
const withCredentials = (url: string, overrides: { readonly clientSecret?: string; readonly imsUrl?: string } = {}) =>
  AepNode.layer({
    platformUrl: url,
    imsUrl: url,
    orgId: Demo.orgId,
    apiKey: Demo.apiKey,
    clientSecret: Demo.clientSecret,
    ...overrides
  })

const create = Batches.create({ datasetId: Demo.datasetId, inputFormat: { format: "json" } })

/** A port nothing listens on: bind one, then close it. */
const closedPort = Effect.async<number>((resume) => {
  const server = createServer().listen(0, "127.0.0.1", () => {
    const address = server.address()
    server.close(() => resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : 9)))
  })
})

describe("OAuth Server-to-Server against the emulator", () => {
  it.scoped("1000 concurrent creates on a cold cache: one token request, 1000 batches", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.start()
      const batches = yield* Effect.all(Array.from({ length: 1000 }, () => create), { concurrency: "unbounded" }).pipe(
        Effect.provide(withCredentials(emulator.url))
      )
      assert.strictEqual(emulator.state.counter("ims.token"), 1)
      assert.strictEqual(batches.length, 1000)
      assert.strictEqual(new Set(batches.map((batch) => batch.id)).size, 1000)
      assert.strictEqual(emulator.state.counter("batches.create"), 1000)
      assert.strictEqual(emulator.state.batches.size, 1000)
    }))

  it.scoped("tokens revoked mid-run: exactly one more token request and no failed call", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.start()
      let revoked = 0
      const batches = yield* Effect.forEach(
        Array.from({ length: 300 }, (_, i) => i),
        (i) =>
          Effect.zipRight(
            // Half-way through, with up to 20 requests in flight holding the token.
            i === 150 ? Effect.sync(() => (revoked = emulator.state.revokeIssuedTokens())) : Effect.void,
            create
          ),
        { concurrency: 20 }
      ).pipe(Effect.provide(withCredentials(emulator.url)))
      assert.strictEqual(revoked, 1)
      assert.strictEqual(batches.length, 300)
      assert.strictEqual(emulator.state.counter("ims.token"), 2)
      // The gateway did refuse the revoked token: the calls that met it were sent again.
      assert.isAbove(emulator.state.counter("batches.create"), 300)
      assert.strictEqual(emulator.state.batches.size, 300)
    }))

  it.scoped("a token is renewed 5 minutes before it expires (emulator and client on the same TestClock)", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.start({ tokenLifetimeSeconds: 3600 })
      yield* Effect.gen(function*() {
        yield* create
        yield* TestClock.adjust("54 minutes")
        yield* create
        assert.strictEqual(emulator.state.counter("ims.token"), 1)
        yield* TestClock.adjust("2 minutes")
        yield* create
        assert.strictEqual(emulator.state.counter("ims.token"), 2)
        // The renewed token carries on past the first one's expiry without a refusal.
        yield* TestClock.adjust("10 minutes")
        yield* create
        assert.strictEqual(emulator.state.counter("ims.token"), 2)
        assert.strictEqual(emulator.state.counter("batches.create"), 4)
      }).pipe(Effect.provide(withCredentials(emulator.url)))
    }))

  it.scoped("a wrong secret fails with AepAuthError invalid_client; nothing reaches the platform", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.start()
      const error = yield* create.pipe(
        Effect.provide(withCredentials(emulator.url, { clientSecret: "not-the-secret" })),
        Effect.flip
      )
      assert.strictEqual(error._tag, "AepAuthError")
      if (error._tag !== "AepAuthError") return
      assert.strictEqual(error.error, "invalid_client")
      assert.strictEqual(error.status, 401)
      assert.include(error.message, "AEP_CLIENT_SECRET")
      assert.notInclude(JSON.stringify(error), "not-the-secret")
      assert.strictEqual(emulator.state.counter("ims.token"), 1)
      assert.strictEqual(emulator.state.counter("batches.create"), 0)
    }))

  it.scoped("an unreachable IMS fails with AepAuthError ims_unreachable", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.start()
      const port = yield* closedPort
      const error = yield* create.pipe(
        Effect.provide(withCredentials(emulator.url, { imsUrl: `http://127.0.0.1:${port}` })),
        Effect.flip
      )
      assert.strictEqual(error._tag, "AepAuthError")
      if (error._tag !== "AepAuthError") return
      assert.strictEqual(error.error, "ims_unreachable")
      assert.include(error.errorDescription, `http://127.0.0.1:${port}/ims/token/v3`)
      assert.strictEqual(emulator.state.counter("batches.create"), 0)
    }).pipe(RetryPolicy.withPolicy(RetryPolicy.disabled)))

  it.effect("a plain-http IMS URL that is not loopback is refused before anything is sent", () =>
    Effect.gen(function*() {
      const result = yield* Layer.build(withCredentials("http://127.0.0.1:9", { imsUrl: "http://ims.example.com" })).pipe(
        Effect.scoped,
        Effect.either
      )
      assert.isTrue(Either.isLeft(result))
      if (Either.isLeft(result)) assert.include(AepConfig.describeError(result.left), "AEP_IMS_URL must use https")
    }))

  it.scoped("AepNode.layerConfig uses client credentials when AEP_CLIENT_SECRET is set", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.start()
      const env = new Map([
        ["AEP_ORG_ID", Demo.orgId],
        ["AEP_API_KEY", Demo.apiKey],
        ["AEP_CLIENT_SECRET", Demo.clientSecret],
        ["AEP_IMS_URL", emulator.url],
        ["AEP_PLATFORM_URL", emulator.url]
      ])
      const batch = yield* create.pipe(Effect.provide(AepNode.layerConfig), Effect.withConfigProvider(ConfigProvider.fromMap(env)))
      assert.strictEqual(batch.status, "loading")
      assert.strictEqual(emulator.state.counter("ims.token"), 1)
    }))
})
