/**
 * `aep-emulator [options]`: runs the emulator until interrupted. `--help` lists the options.
 *
 * @since 0.1.0
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Banner from "./Banner.js"
import * as Demo from "./Demo.js"
import * as Emulator from "./Emulator.js"

const usage = `Usage: aep-emulator [options]

Runs a local Adobe Experience Platform batch ingestion emulator (Batch Ingestion, Catalog,
Data Access and IMS on one origin, plus a control API under /__emulator/).

Options:
  --port N                  port to listen on (default ${Demo.defaultPort}; 0 picks a free one)
  --host HOST               address to listen on (default 127.0.0.1; keep it on loopback)
  --dataset ID              another dataset that exists from the start (repeatable; the demo
                            dataset ${Demo.datasetId} always exists)
  --processing-delay MS     how long a completed batch takes to reach success or failed (default 1000)
  --token-lifetime SECONDS  lifetime of tokens issued by /ims/token/v3 (default 86399)
  --small-file-limit BYTES  largest single PUT (default 268435456, 256 MB)
  --files-per-batch N       files a batch may hold (default 1500)
  --batches-per-minute N    creates per client per minute before 429 (default: no limit; Adobe: 138)
  --discard-files           validate and count uploaded bytes, then drop them (flat memory;
                            failed files cannot be downloaded)
  --help                    show this text

Examples:
  aep-emulator
  aep-emulator --port 0 --processing-delay 0
  aep-emulator --dataset 6a1f3c555033b814b69f9480 --batches-per-minute 138`

interface Options {
  port: number
  host: string
  datasets: Array<string>
  processingDelayMillis?: number
  tokenLifetimeSeconds?: number
  retainFiles?: boolean
  limits: { smallFileBytes?: number; filesPerBatch?: number; batchesPerMinute?: number }
}

const wholeNumber = (name: string, raw: string | undefined, max = Number.MAX_SAFE_INTEGER): number | string => {
  if (raw === undefined || !/^\d+$/.test(raw) || Number(raw) > max) {
    return `${name} must be a whole number${max === 65535 ? " from 0 to 65535" : ""}, got ${raw ?? "nothing"}`
  }
  return Number(raw)
}

const parseArgs = (argv: ReadonlyArray<string>): Options | string => {
  const options: Options = { port: Demo.defaultPort, host: "127.0.0.1", datasets: [Demo.datasetId], limits: {} }
  const numeric: Record<string, (n: number) => void> = {
    "--port": (n) => (options.port = n),
    "--processing-delay": (n) => (options.processingDelayMillis = n),
    "--token-lifetime": (n) => (options.tokenLifetimeSeconds = n),
    "--small-file-limit": (n) => (options.limits.smallFileBytes = n),
    "--files-per-batch": (n) => (options.limits.filesPerBatch = n),
    "--batches-per-minute": (n) => (options.limits.batchesPerMinute = n)
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const [name, inline] = arg.startsWith("--") && arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined]
    const value = () => inline ?? argv[++i]
    const setter = numeric[name]
    if (setter !== undefined) {
      const n = wholeNumber(name, value(), name === "--port" ? 65535 : undefined)
      if (typeof n === "string") return n
      setter(n)
      continue
    }
    switch (name) {
      case "--host": {
        const raw = value()
        if (raw === undefined || raw === "") return "--host needs an address, e.g. 127.0.0.1"
        options.host = raw
        break
      }
      case "--dataset": {
        const raw = value()
        if (raw === undefined || !/^[A-Za-z0-9_-]{1,64}$/.test(raw)) return `--dataset needs an id (letters, digits, - and _), got ${raw ?? "nothing"}`
        options.datasets.push(raw)
        break
      }
      case "--discard-files":
        options.retainFiles = false
        break
      case "--help":
      case "-h":
        return ""
      default:
        return `unknown argument: ${arg}`
    }
  }
  return options
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
