/**
 * Creates a batch and prints it: `pnpm start`.
 *
 * With Adobe credentials in the environment (`AEP_ORG_ID`, `AEP_API_KEY`, `AEP_ACCESS_TOKEN`,
 * optionally `AEP_SANDBOX_NAME`, `AEP_PLATFORM_URL`) it talks to Adobe and creates the batch in
 * `AEP_DATASET_ID`. Without them it starts the emulator in this process, on a free loopback port,
 * and creates the batch in the emulator's demo dataset.
 */
import { NodeRuntime } from "@effect/platform-node"
import { AepConfig, Batches } from "@effect-aep/core"
import { AepNode } from "@effect-aep/node"
import { Demo, Emulator } from "@effect-aep/emulator"
import { ConfigError, Console, DateTime, Effect, Layer } from "effect"

const credentialVariables = ["AEP_ORG_ID", "AEP_API_KEY", "AEP_ACCESS_TOKEN"] as const
const useAdobe = credentialVariables.some((name) => (process.env[name] ?? "") !== "")

// Against Adobe the dataset must be named; the emulator has its demo dataset.
const datasetId = process.env["AEP_DATASET_ID"] ?? (useAdobe ? undefined : Demo.datasetId)

const EmulatorAep = Layer.unwrapScoped(
  Effect.gen(function*() {
    const emulator = yield* Emulator.start()
    yield* Console.log(`No AEP_* credentials in the environment: using the emulator at ${emulator.url}\n`)
    return AepNode.layer({
      platformUrl: emulator.url,
      orgId: Demo.orgId,
      apiKey: Demo.apiKey,
      accessToken: Demo.accessToken
    })
  })
)

const program = Effect.gen(function*() {
  if (datasetId === undefined) {
    return yield* Effect.fail("AEP_DATASET_ID is not set: name the dataset to create the batch in")
  }
  const batch = yield* Batches.create({ datasetId, inputFormat: { format: "json" } })
  yield* Console.log(
    [
      `Created batch ${batch.id}`,
      `  status:   ${batch.status}`,
      `  dataset:  ${batch.datasetId ?? "(not reported)"}`,
      `  format:   ${batch.inputFormat?.format ?? "(not reported)"}`,
      `  created:  ${batch.created === undefined ? "(not reported)" : DateTime.formatIso(batch.created)}`
    ].join("\n")
  )
})

program.pipe(
  Effect.provide(useAdobe ? AepNode.layerConfig : EmulatorAep),
  Effect.catchAll((error) =>
    Effect.zipRight(
      Console.error(
        typeof error === "string"
          ? error
          : ConfigError.isConfigError(error)
          ? `The AEP configuration is incomplete:\n${AepConfig.describeError(error)}`
          : error.message
      ),
      Effect.sync(() => {
        process.exitCode = 1
      })
    )
  ),
  NodeRuntime.runMain
)
