import { HttpClient, HttpClientResponse } from "@effect/platform"
import { AepClient, Batches } from "@effect-aep/core"
import { AepNode } from "@effect-aep/node"
import { Demo, Emulator } from "@effect-aep/emulator"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"

// The code under test: your own program, which needs an AepClient.
const startNightlyBatch = Batches.create({ datasetId: Demo.datasetId, inputFormat: { format: "json" } })

// 1. No network at all: swap the HttpClient for one that answers as AEP would.
const CannedAep = AepClient.layerWith({ orgId: Demo.orgId, apiKey: "test", accessToken: "test" }).pipe(
  Layer.provide(
    Layer.succeed(
      HttpClient.HttpClient,
      HttpClient.make((request) =>
        Effect.succeed(HttpClientResponse.fromWeb(
          request,
          Response.json({ id: "0123456789abcdef0123456789abcdef", status: "loading", created: 0 }, { status: 201 })
        ))
      )
    )
  )
)

// 2. The whole HTTP contract: a real emulator on a free loopback port, the Node runtime layer.
const EmulatedAep = Layer.unwrapScoped(
  Effect.map(Emulator.start(), (emulator) =>
    AepNode.layer({
      platformUrl: emulator.url,
      orgId: Demo.orgId,
      apiKey: Demo.apiKey,
      accessToken: Demo.accessToken
    }))
)

describe("startNightlyBatch", () => {
  it.effect("with a canned HttpClient", () =>
    Effect.gen(function*() {
      const batch = yield* startNightlyBatch
      assert.strictEqual(batch.id, "0123456789abcdef0123456789abcdef")
    }).pipe(Effect.provide(CannedAep)))

  it.effect("against the emulator", () =>
    Effect.gen(function*() {
      const batch = yield* startNightlyBatch
      assert.strictEqual(batch.status, "loading")
      assert.strictEqual(batch.datasetId, Demo.datasetId)
    }).pipe(Effect.provide(EmulatedAep)))
})
