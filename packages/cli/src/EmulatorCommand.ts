/**
 * `aep emulator`: a local AEP on loopback for trying `aep` without an Adobe account. It prints
 * the line that points `aep` at it, then serves until Ctrl-C.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Demo from "@effect-aep/emulator/Demo"
import * as Effect from "effect/Effect"
import * as Common from "./Common.js"
import { UsageError } from "./Failure.js"
import * as Output from "./Output.js"

/**
 * What `aep emulator` prints once it listens. The demo values are public: they work against the
 * emulator only. The client secret is left out on purpose: with it set, `aep` would ask Adobe's
 * identity service for tokens instead of using the emulator's static token.
 *
 * @since 0.1.0
 * @category formatting
 */
export const banner = (url: string): string =>
  [
    `AEP emulator listening on ${url}`,
    ``,
    `Point aep at it (in another terminal; these demo values work against the emulator only):`,
    ``,
    `  export AEP_PLATFORM_URL=${url} AEP_ORG_ID=${Demo.orgId} \\`,
    `    AEP_API_KEY=${Demo.apiKey} AEP_ACCESS_TOKEN=${Demo.accessToken} AEP_DATASET_ID=${Demo.datasetId}`,
    ``,
    `Then, for example:`,
    ``,
    `  aep ingest people.json`,
    `  aep batch list`,
    ``,
    `Dataset ${Demo.datasetId} exists from the start. Press Ctrl-C to stop.`,
    ``
  ].join("\n")

/**
 * `aep emulator`.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make(
  "emulator",
  {
    port: Options.integer("port").pipe(
      Options.withDescription(`Port to listen on, on 127.0.0.1 (default ${Demo.defaultPort}; 0 picks a free one).`),
      Options.withDefault(Demo.defaultPort)
    ),
    processingDelay: Options.integer("processing-delay").pipe(
      Options.withDescription("Milliseconds a completed batch takes to reach success or failed (default 1000)."),
      Options.withDefault(1000)
    )
  },
  (options) =>
    Effect.gen(function*() {
      if (options.port < 0 || options.port > 65535) return yield* new UsageError({ message: "--port must be from 0 to 65535" })
      if (options.processingDelay < 0) return yield* new UsageError({ message: "--processing-delay must be 0 or more" })
      // Loaded here, not at start-up: the HTTP server costs every other command half a second.
      const Emulator = yield* Effect.promise(() => import("@effect-aep/emulator/Emulator"))
      const emulator = yield* Emulator.start({ port: options.port, processingDelayMillis: options.processingDelay })
      yield* Output.line(banner(emulator.url))
      return yield* Effect.never
    }).pipe(Effect.scoped)
).pipe(
  Command.withDescription(
    Common.help(
      "Starts a local AEP emulator (batch ingestion, Catalog, Data Access) on 127.0.0.1 and prints how to " +
        "point aep at it. Runs until Ctrl-C. State is in memory.",
      ["aep emulator", "aep emulator --port 0 --processing-delay 200"]
    )
  )
)
