/**
 * The `aep` command line as a function from arguments to an exit code, so that it runs the same
 * from the bin and inside a test. Output goes through `Output`; the environment is read through
 * Effect's ConfigProvider; spans go to the tracer in force.
 *
 * @since 0.1.0
 */
import * as CliConfig from "@effect/cli/CliConfig"
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import type * as CliApp from "@effect/cli/CliApp"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as BatchCommand from "./BatchCommand.js"
import * as ConfigCommand from "./ConfigCommand.js"
import * as EmulatorCommand from "./EmulatorCommand.js"
import * as ExitCode from "./ExitCode.js"
import * as Failure from "./Failure.js"
import * as IngestCommand from "./IngestCommand.js"
import * as Output from "./Output.js"

/**
 * The version `aep --version` prints.
 *
 * @since 0.1.0
 * @category constants
 */
export const version = "0.1.0"

/**
 * Every command with what it is for, as `aep --help` and `aep batch --help` list them.
 *
 * @since 0.1.0
 * @category help
 */
export const overview: ReadonlyArray<readonly [command: string, summary: string]> = [
  ["batch create", "Create a batch in a dataset (then upload its files and complete it)"],
  ["batch upload", "Upload files into a batch that is loading"],
  ["batch complete", "Signal that every file is in: AEP starts processing the batch"],
  ["batch abort", "Abandon a batch that is not final yet"],
  ["batch revert", "Delete the data a successful batch ingested"],
  ["batch get", "Show a batch: status, times, record counts, errors"],
  ["batch list", "List batches, newest first (by dataset, status, age)"],
  ["batch wait", "Wait until a batch is final; exit 3 if it failed"],
  ["batch errors", "Show why a batch failed: its errors, failed files and row errors"],
  ["ingest", "Create, upload, complete and wait in one go, with progress"],
  ["emulator", "Start a local AEP on loopback to try aep without an account"],
  ["config show", "Show the configuration in force and where each value comes from"],
  ["config list", "List the profiles of the profiles file"]
]

const commandList = (prefix: string) => {
  const chosen = overview.filter(([name]) => name.startsWith(prefix))
  const width = Math.max(...chosen.map(([name]) => name.length))
  return chosen.map(([name, text]) => `  ${name.padEnd(width)}  ${text}`).join("\n")
}

const rootHelp = [
  `aep ${version}: Adobe Experience Platform batch ingestion from the terminal and from CI`,
  "",
  "Usage: aep <command> [options]",
  "",
  "Commands:",
  commandList(""),
  "",
  "Options of every command that talks to AEP:",
  "  --json            print JSON (for scripts) instead of tables",
  "  --profile NAME    use a profile of the profiles file (default: $AEP_PROFILE)",
  "  --trace           print the command's spans (operations, durations, attributes) to standard error",
  "  -h, --help        show a command's options and examples",
  "",
  "Configuration: AEP_ORG_ID and AEP_API_KEY, then AEP_ACCESS_TOKEN or AEP_CLIENT_SECRET (OAuth",
  "Server-to-Server; AEP_CLIENT_ID, AEP_SCOPES, AEP_IMS_URL optional), AEP_SANDBOX_NAME (default prod),",
  "AEP_PLATFORM_URL, AEP_DATASET_ID (the default --dataset); or a profile: see 'aep config --help'.",
  "",
  "Exit codes:",
  ...ExitCode.table.map(([code, meaning]) => `  ${String(code).padStart(3)}  ${meaning}`),
  "",
  "Examples:",
  "  aep emulator                                  # a local AEP to try everything on",
  "  aep ingest --dataset 5c8c3c555033b814b69f947f people.json",
  "  aep batch list --status failed --since 24h",
  "  aep batch errors $BATCH"
].join("\n")

/**
 * The command tree.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make("aep").pipe(
  Command.withDescription("Adobe Experience Platform batch ingestion from the terminal and from CI."),
  Command.withSubcommands([BatchCommand.command, IngestCommand.command, EmulatorCommand.command, ConfigCommand.command])
)

const cliConfig = CliConfig.make({ showBuiltIns: false })

const app = Command.run(command, { name: "aep", version })

// The command groups and their subcommands, to answer `aep batch`, `aep batch --help` and
// `aep batch nosuch` better than the parser does (it lists no subcommands for a nested group).
const groups: Record<
  string,
  { readonly command: Command.Command<any, any, any, any>; readonly subcommands: ReadonlyArray<string> }
> = {
  batch: {
    command: BatchCommand.command,
    subcommands: ["create", "upload", "complete", "abort", "revert", "get", "list", "wait", "errors"]
  },
  config: { command: ConfigCommand.command, subcommands: ["show", "list"] }
}
const topLevel = ["batch", "ingest", "emulator", "config"]

const distance = (a: string, b: string): number => {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1))
      previous = current
    }
  }
  return row[b.length]!
}

const unknownCommand = (path: string, given: string, known: ReadonlyArray<string>): string => {
  const close = known.map((name) => [name, distance(name, given)] as const).filter(([, d]) => d <= 2).sort((a, b) => a[1] - b[1])
    .map(([name]) => name)
  return `${path}: unknown command '${given}'.${close.length === 0 ? "" : ` Did you mean '${close[0]}'?`} Commands: ${
    known.join(", ")
  }. Run '${path} --help' for usage.`
}

const isHelp = (arg: string | undefined) => arg === "--help" || arg === "-h"

type Early = { readonly help: string; readonly exitCode: number } | { readonly error: string } | undefined

// Handles what the parser would answer poorly: a bare group, a group's --help, an unknown command.
const early = (argv: ReadonlyArray<string>): Early => {
  const [first, second] = argv
  if (first === undefined || isHelp(first)) return { help: rootHelp, exitCode: first === undefined ? ExitCode.usage : ExitCode.ok }
  if (first.startsWith("-")) return undefined
  if (!topLevel.includes(first)) return { error: unknownCommand("aep", first, topLevel) }
  const group = groups[first]
  if (group === undefined) return undefined
  if (second === undefined || isHelp(second)) {
    const description = Output.stripAnsi(HelpDoc.toAnsiText(Command.getHelp(group.command, cliConfig)))
      .split("\n\n")
      .filter((block) => !/^(DESCRIPTION|COMMANDS|OPTIONS)$/.test(block.trim()) && !block.trim().startsWith("- "))
      .join("\n\n")
      .trim()
    return {
      help: [
        `Usage: aep ${first} <command> [options]`,
        `Commands:\n${commandList(`${first} `)}`,
        description,
        `Run 'aep ${first} <command> --help' for a command's options and examples.`
      ].join("\n\n"),
      exitCode: second === undefined ? ExitCode.usage : ExitCode.ok
    }
  }
  if (!second.startsWith("-") && !group.subcommands.includes(second)) {
    return { error: unknownCommand(`aep ${first}`, second, group.subcommands) }
  }
  return undefined
}

const commandPath = (argv: ReadonlyArray<string>): string => {
  const [first, second] = argv
  if (first === undefined || !topLevel.includes(first)) return "aep"
  const group = groups[first]
  return group !== undefined && second !== undefined && group.subcommands.includes(second)
    ? `aep ${first} ${second}`
    : `aep ${first}`
}

// The parser prints help and its errors with `Console`: route them to `Output`, without colour
// where colour is not wanted.
const withOutputConsole = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R | Output.Output> =>
  Effect.flatMap(Output.Output, (output) =>
    Console.consoleWith((current) => {
      const format = (stream: Output.Stream, args: ReadonlyArray<unknown>) => {
        const text = args.map((arg) => (typeof arg === "string" ? arg : JSON.stringify(arg))).join(" ")
        return stream.write(`${stream.color ? text : Output.stripAnsi(text)}\n`)
      }
      return Effect.withConsole(effect, {
        ...current,
        log: (...args) => format(output.stdout, args),
        info: (...args) => format(output.stdout, args),
        error: (...args) => format(output.stderr, args),
        warn: (...args) => format(output.stderr, args)
      })
    }))

/**
 * Runs `aep` with `argv` (the arguments after the program name) and answers the exit code. Never
 * fails: every failure is reported on standard error (as JSON with `--json`) and classified.
 *
 * @since 0.1.0
 * @category running
 */
export const run = (argv: ReadonlyArray<string>): Effect.Effect<number, never, Output.Output | CliApp.CliApp.Environment> =>
  Effect.gen(function*() {
    const json = argv.includes("--json")
    const handled = early(argv)
    if (handled !== undefined) {
      if ("help" in handled) {
        yield* withOutputConsole(Console.log(handled.help))
        return handled.exitCode
      }
      yield* Output.errorLine(json ? JSON.stringify({ error: { _tag: "UsageError", message: handled.error } }) : handled.error)
      return ExitCode.usage
    }
    return yield* app(["node", "aep", ...argv]).pipe(
      Effect.provide(CliConfig.layer({ showBuiltIns: false })),
      withOutputConsole,
      Effect.as(ExitCode.ok),
      Effect.catchAllCause((cause) =>
        Effect.gen(function*() {
          const report = Failure.fromCause(cause)
          if (json) {
            yield* Output.errorLine(JSON.stringify({ error: { ...report.json, exitCode: report.exitCode } }))
          } else if (report.message !== "") {
            yield* Output.errorLine(`${commandPath(argv)}: ${report.message}`)
          } else {
            yield* Output.errorLine(`Run '${commandPath(argv)} --help' for usage.`)
          }
          return report.exitCode
        })
      )
    )
  })
