/**
 * `aep-emulator [--port N] [--host H]`: runs the emulator until interrupted.
 *
 * @since 0.1.0
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Banner from "./Banner.js"
import * as Demo from "./Demo.js"
import * as Emulator from "./Emulator.js"

const usage = `Usage: aep-emulator [--port N] [--host HOST]

Runs a local Adobe Experience Platform batch ingestion emulator.

  --port N     port to listen on (default ${Demo.defaultPort}; 0 picks a free one)
  --host HOST  address to listen on (default 127.0.0.1; keep it on loopback)
  --help       show this text`

interface Args {
  readonly port: number
  readonly host: string
}

const parseArgs = (argv: ReadonlyArray<string>): Args | string => {
  let port = Demo.defaultPort
  let host = "127.0.0.1"
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const [name, inline] = arg.startsWith("--") && arg.includes("=") ? arg.split("=", 2) as [string, string] : [arg, undefined]
    const value = () => inline ?? argv[++i]
    switch (name) {
      case "--port": {
        const raw = value()
        const parsed = raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : Number.NaN
        if (!(parsed >= 0 && parsed <= 65535)) return `--port must be a whole number from 0 to 65535, got ${raw ?? "nothing"}`
        port = parsed
        break
      }
      case "--host": {
        const raw = value()
        if (raw === undefined || raw === "") return "--host needs an address, e.g. 127.0.0.1"
        host = raw
        break
      }
      case "--help":
      case "-h":
        return ""
      default:
        return `unknown argument: ${arg}`
    }
  }
  return { port, host }
}

const args = parseArgs(process.argv.slice(2))
if (typeof args === "string") {
  if (args === "") {
    console.log(usage)
  } else {
    console.error(`aep-emulator: ${args}\n\n${usage}`)
    process.exitCode = 2
  }
} else {
  Effect.gen(function*() {
    const emulator = yield* Emulator.start(args)
    yield* Console.log(Banner.banner(emulator.url))
    return yield* Effect.never
  }).pipe(Effect.scoped, NodeRuntime.runMain)
}
