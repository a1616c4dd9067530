import { AepConfig, Batches, RetryPolicy } from "@effect-aep/core"
import { Demo, Emulator } from "@effect-aep/emulator"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, DateTime, Effect, Either, Layer } from "effect"
import { createServer } from "node:net"
import * as AepNode from "../src/AepNode.js"

const demo = (url: string, overrides: Partial<Parameters<typeof AepNode.layer>[0]> = {}) =>
  AepNode.layer({
    platformUrl: url,
    orgId: Demo.orgId,
    apiKey: Demo.apiKey,
    accessToken: Demo.accessToken,
    ...overrides
  })

/** A port nothing listens on: bind one, then close it. */
const closedPort = Effect.async<number>((resume) => {
  const server = createServer().listen(0, "127.0.0.1", () => {
    const address = server.address()
    server.close(() => resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : 9)))
  })
})

describe("AepNode against the emulator over loopback", () => {
  it.scoped("creates a batch, then reads it back from the Catalog", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.start()
      const { created, read } = yield* Effect.gen(function*() {
        const created = yield* Batches.create({
          datasetId: Demo.datasetId,
          inputFormat: { format: "csv", header: true },
          externalId: "node-adapter-test",
          tags: { suite: ["node"] }
        })
        const read = yield* Batches.get(created.id)
        return { created, read }
      }).pipe(Effect.provide(demo(emulator.url)))
      assert.strictEqual(created.status, "loading")
      assert.strictEqual(created.datasetId, Demo.datasetId)
      assert.strictEqual(created.inputFormat?.format, "csv")
      assert.strictEqual(read.id, created.id)
      assert.strictEqual(read.externalId, "node-adapter-test")
      assert.deepStrictEqual(read.tags?.["suite"], ["node"])
      assert.isTrue(DateTime.Equivalence(read.created!, created.created!))
      // The emulator holds exactly the batch the client reported.
      assert.strictEqual(emulator.state.batch("prod", created.id)?.externalId, "node-adapter-test")
    }))

  it.scoped("reads its configuration from AEP_* variables", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.start()
      const env = new Map([
        ["AEP_ORG_ID", Demo.orgId],
        ["AEP_API_KEY", Demo.apiKey],
        ["AEP_ACCESS_TOKEN", Demo.accessToken],
        ["AEP_PLATFORM_URL", emulator.url]
      ])
      const batch = yield* Batches.create({ datasetId: Demo.datasetId }).pipe(
        Effect.provide(AepNode.layerConfig),
        Effect.withConfigProvider(ConfigProvider.fromMap(env))
      )
      assert.strictEqual(batch.inputFormat?.format, "parquet")
    }))

  it.scoped("a token the emulator does not accept fails with AepHttpError 401013", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.start()
      const error = yield* Batches.create({ datasetId: Demo.datasetId }).pipe(
        Effect.provide(demo(emulator.url, { accessToken: "expired-token-value" })),
        Effect.flip
      )
      assert.strictEqual(error._tag, "AepHttpError")
      if (error._tag !== "AepHttpError") return
      assert.strictEqual(error.status, 401)
      assert.strictEqual(error.errorCode, "401013")
      assert.match(error.requestId ?? "", /^[0-9a-f-]{36}$/)
      assert.notInclude(error.message, "expired-token-value")
      assert.notInclude(JSON.stringify(error), "expired-token-value")
    }))

  it.live("an unreachable platform fails with AepTransportError once the attempts are spent", () =>
    Effect.gen(function*() {
      const port = yield* closedPort
      const error = yield* Batches.create({ datasetId: Demo.datasetId }).pipe(
        RetryPolicy.withPolicy(RetryPolicy.make({ maxAttempts: 2, baseDelay: "1 millis" })),
        Effect.provide(demo(`http://127.0.0.1:${port}`)),
        Effect.flip
      )
      assert.strictEqual(error._tag, "AepTransportError")
      assert.include(error.message, `127.0.0.1:${port}`)
      if (error._tag === "AepTransportError") assert.strictEqual(error.attempts, 2)
    }))

  it.effect("refuses a plain-http platform URL that is not loopback before building anything", () =>
    Effect.gen(function*() {
      const result = yield* Layer.build(demo("http://platform.example.com")).pipe(Effect.scoped, Effect.either)
      assert.isTrue(Either.isLeft(result))
      if (Either.isLeft(result)) assert.include(AepConfig.describeError(result.left), "AEP_PLATFORM_URL must use https")
    }))
})
