/**
 * Creates a batch and prints it: `pnpm start`.
 *
 * With credentials in the environment it talks to the platform they name and creates the batch
 * in `AEP_DATASET_ID`: `AEP_ORG_ID`, `AEP_API_KEY`, then either `AEP_CLIENT_SECRET` (OAuth
 * Server-to-Server: tokens are requested from IMS, optionally with `AEP_CLIENT_ID`, `AEP_SCOPES`,
 * `AEP_IMS_URL`) or `AEP_ACCESS_TOKEN`; optionally `AEP_SANDBOX_NAME`, `AEP_PLATFORM_URL`. With
 * `AEP_PLATFORM_URL` on a loopback host (an emulator you started) the dataset defaults to the
 * emulator's demo dataset. Without any credentials it starts the emulator in this process, on a
 * free loopback port, and creates the batch in the demo dataset.
 */
import { NodeRuntime } from "@effect/platform-node"
import { AepConfig, Batches } from "@effect-aep/core"
import { AepNode } from "@effect-aep/node"
import { Demo } from "@effect-aep/emulator"
import { Console, DateTime, Effect } from "effect"
import { emulatorAep, reportFailure } from "./shared.js"

const env = (name: string): string | undefined => {
  const value = process.env[name] ?? ""
  return value === "" ? undefined : value
}

const credentialVariables = ["AEP_ORG_ID", "AEP_API_KEY", "AEP_CLIENT_ID", "AEP_CLIENT_SECRET", "AEP_ACCESS_TOKEN"] as const
const useEnvironment = credentialVariables.some((name) => env(name) !== undefined)

const platformUrl = env("AEP_PLATFORM_URL")
const localPlatform = platformUrl !== undefined && URL.canParse(platformUrl) && AepConfig.isLoopback(new URL(platformUrl))

// Against Adobe the dataset must be named; an emulator has its demo dataset.
const datasetId = env("AEP_DATASET_ID") ?? (!useEnvironment || localPlatform ? Demo.datasetId : undefined)

// Which way of authenticating the environment chose (AccessToken.layerConfig decides the same way).
const authentication = env("AEP_CLIENT_SECRET") !== undefined
  ? `OAuth Server-to-Server: tokens from ${env("AEP_IMS_URL") ?? "https://ims-na1.adobelogin.com"}`
  : "the access token in AEP_ACCESS_TOKEN"

const program = Effect.gen(function*() {
  if (datasetId === undefined) {
    return yield* Effect.fail("AEP_DATASET_ID is not set: name the dataset to create the batch in")
  }
  if (useEnvironment) yield* Console.log(`Authenticating with ${authentication}\n`)
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
  Effect.provide(useEnvironment ? AepNode.layerConfig : emulatorAep()),
  Effect.catchAll(reportFailure),
  NodeRuntime.runMain
)
