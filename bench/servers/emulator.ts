/**
 * The emulator in a process of its own, started with the options given as JSON in argv (e.g.
 * `{ "retainFiles": false }`), so that what it costs never lands in a client's figures.
 */
import { Emulator } from "@effect-aep/emulator"
import { Effect } from "effect"
import { serverReady } from "../lib/child.js"

const options = JSON.parse(process.argv[2] ?? "{}") as Emulator.Options

Effect.runFork(Effect.scoped(Effect.gen(function*() {
  const emulator = yield* Emulator.start(options)
  serverReady(emulator.url)
  return yield* Effect.never
})))
