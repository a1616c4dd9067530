import { AepConfig, Batches } from "@effect-aep/core"
import { Demo, Emulator } from "@effect-aep/emulator"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as AepEdge from "../src/AepEdge.js"

describe("AepEdge", () => {
  it.scoped("layerFromEnv reads the AEP_* strings of a bindings object and ignores the rest", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.start()
      const env = {
        AEP_ORG_ID: Demo.orgId,
        AEP_API_KEY: Demo.apiKey,
        AEP_ACCESS_TOKEN: Demo.accessToken,
        AEP_PLATFORM_URL: emulator.url,
        // What else a Worker's env holds: KV namespaces, service bindings, unrelated vars.
        CACHE: { get: () => null },
        AEP_NOT_A_STRING: 42,
        OTHER: "x"
      }
      const batch = yield* Batches.create({ datasetId: Demo.datasetId }).pipe(Effect.provide(AepEdge.layerFromEnv(env)))
      assert.strictEqual(batch.status, "loading")
      assert.isDefined(emulator.state.batch("prod", batch.id))
    }))

  it.effect("layerFromEnv names every missing variable and leaves the program's own config alone", () =>
    Effect.gen(function*() {
      const error = yield* Layer.build(AepEdge.layerFromEnv({ AEP_ORG_ID: Demo.orgId })).pipe(Effect.scoped, Effect.flip)
      assert.strictEqual(AepConfig.describeError(error), "AEP_API_KEY is not set\nAEP_ACCESS_TOKEN is not set: set it to a bearer token, or set AEP_CLIENT_SECRET for OAuth Server-to-Server")
    }))

  it.scoped("layer takes explicit values", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.start()
      const batch = yield* Batches.create({ datasetId: Demo.datasetId, inputFormat: { format: "parquet" } }).pipe(
        Effect.provide(AepEdge.layer({
          platformUrl: emulator.url,
          orgId: Demo.orgId,
          apiKey: Demo.apiKey,
          accessToken: Demo.accessToken
        }))
      )
      assert.strictEqual(batch.inputFormat?.format, "parquet")
    }))
})
