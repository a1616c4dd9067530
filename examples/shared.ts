/**
 * What the examples share: an AEP layer backed by an emulator started in-process, and a
 * failure rendered for a person.
 */
import { AepConfig } from "@effect-aep/core"
import { AepNode } from "@effect-aep/node"
import { Demo, Emulator } from "@effect-aep/emulator"
import { ConfigError, Console, Effect, Layer } from "effect"

/** An emulator on a free loopback port for the program's lifetime, and the client pointed at it. */
export const emulatorAep = (options: Emulator.Options = {}, announce = true) =>
  Layer.unwrapScoped(
    Effect.gen(function*() {
      const emulator = yield* Emulator.start(options)
      if (announce) yield* Console.log(`No AEP_* credentials in the environment: using the emulator at ${emulator.url}\n`)
      return AepNode.layer({ platformUrl: emulator.url, orgId: Demo.orgId, apiKey: Demo.apiKey, accessToken: Demo.accessToken })
    })
  )

/** Prints a failure (a message, a configuration gap, or a typed AEP error) and sets exit code 1. */
export const reportFailure = (error: string | ConfigError.ConfigError | { readonly message: string }) =>
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
