/**
 * What every command that talks to AEP shares: `--json`, `--profile`, `--trace`, the client built
 * from the profile and the environment, and the parsers of durations, times and tags.
 *
 * @since 0.1.0
 */
import * as Options from "@effect/cli/Options"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as ValidationError from "@effect/cli/ValidationError"
import type * as AepClient from "@effect-aep/core/AepClient"
import * as AepNode from "@effect-aep/node/AepNode"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { UsageError } from "./Failure.js"
import * as Output from "./Output.js"
import * as Profiles from "./Profiles.js"
import * as SpanSummary from "./SpanSummary.js"

/**
 * The options every AEP command takes.
 *
 * @since 0.1.0
 * @category models
 */
export interface Common {
  readonly json: boolean
  readonly profile: Option.Option<string>
  readonly trace: boolean
}

/**
 * `--json`: print JSON for scripts instead of tables.
 *
 * @since 0.1.0
 * @category options
 */
export const json: Options.Options<boolean> = Options.boolean("json").pipe(
  Options.withDescription("Print JSON (for scripts) instead of a table.")
)

/**
 * `--profile NAME`.
 *
 * @since 0.1.0
 * @category options
 */
export const profile: Options.Options<Option.Option<string>> = Options.text("profile").pipe(
  Options.withDescription("Use profile NAME of the profiles file (default: $AEP_PROFILE; see 'aep config --help')."),
  Options.optional
)

/**
 * `--trace`.
 *
 * @since 0.1.0
 * @category options
 */
export const trace: Options.Options<boolean> = Options.boolean("trace").pipe(
  Options.withDescription("When done, print the spans of the command (operations, durations, attributes) to standard error.")
)

/**
 * The three together, to spread into a command's options.
 *
 * @since 0.1.0
 * @category options
 */
export const options = { json, profile, trace }

/**
 * `--dataset ID`, optional: `AEP_DATASET_ID` (or a profile's `datasetId`) stands in for it.
 *
 * @since 0.1.0
 * @category options
 */
export const dataset: Options.Options<Option.Option<string>> = Options.text("dataset").pipe(
  Options.withAlias("d"),
  Options.withDescription("The dataset id (default: $AEP_DATASET_ID, or datasetId in the profile)."),
  Options.optional
)

/**
 * The input formats AEP reads.
 *
 * @since 0.1.0
 * @category options
 */
export const formats = ["json", "parquet", "csv"] as const

/**
 * `--tag NAME=VALUE`, repeatable; a name given several times collects its values.
 *
 * @since 0.1.0
 * @category options
 */
export const tags: Options.Options<Record<string, Array<string>>> = Options.text("tag").pipe(
  Options.withDescription("A tag NAME=VALUE for the batch; repeat it for more (a name repeated collects its values)."),
  Options.repeated,
  Options.mapEffect((given) => {
    const out: Record<string, Array<string>> = {}
    for (const tag of given) {
      const at = tag.indexOf("=")
      if (at <= 0) return Effect.fail(invalid(`--tag must be NAME=VALUE, got '${tag}'`))
      const name = tag.slice(0, at)
      out[name] = [...(out[name] ?? []), tag.slice(at + 1)]
    }
    return Effect.succeed(out)
  })
)

/**
 * A usage error at parse time, as `@effect/cli` reports them.
 *
 * @since 0.1.0
 * @category errors
 */
export const invalid = (message: string): ValidationError.ValidationError =>
  ValidationError.invalidValue(HelpDoc.p(message))

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/**
 * A duration as people type it: `90s`, `5m`, `1h30m`, `2d`, `500ms`, a bare number of seconds, or
 * Effect's own form (`5 minutes`).
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseDuration = (text: string): Duration.Duration | undefined => {
  const trimmed = text.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Duration.seconds(Number(trimmed))
  if (/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(trimmed)) {
    let millis = 0
    for (const [, amount, unit] of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) {
      millis += Number(amount) * (units[unit!] ?? 0)
    }
    return Duration.millis(millis)
  }
  return Option.getOrUndefined(Duration.decodeUnknown(trimmed))
}

/**
 * An option holding a duration.
 *
 * @since 0.1.0
 * @category options
 */
export const durationOption = (name: string, description: string): Options.Options<Option.Option<Duration.Duration>> =>
  Options.text(name).pipe(
    Options.withDescription(description),
    Options.mapEffect((text) => {
      const duration = parseDuration(text)
      return duration === undefined || !Duration.isFinite(duration)
        ? Effect.fail(invalid(`--${name} must be a duration such as 90s, 5m, 1h30m or 2d; got '${text}'`))
        : Effect.succeed(duration)
    }),
    Options.optional
  )

/**
 * `--since`: a duration before now (`24h`, `7d`) or a date or time (`2026-05-01`,
 * `2026-05-01T10:00:00Z`), as epoch milliseconds.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseSince = (text: string, now: number): number | undefined => {
  const duration = parseDuration(text)
  if (duration !== undefined && Duration.isFinite(duration)) return now - Duration.toMillis(duration)
  const parsed = Date.parse(text)
  return Number.isNaN(parsed) ? undefined : parsed
}

/**
 * A command's description for `--help`: what it does, then examples.
 *
 * @since 0.1.0
 * @category help
 */
export const help = (summary: string, examples: ReadonlyArray<string>, notes: ReadonlyArray<string> = []): HelpDoc.HelpDoc =>
  HelpDoc.blocks([
    HelpDoc.p(summary),
    ...notes.map((note) => HelpDoc.p(note)),
    ...(examples.length === 0 ? [] : [HelpDoc.p("Examples:"), ...examples.map((example) => HelpDoc.p(`  ${example}`))])
  ])

/**
 * The dataset to use: `--dataset`, else `AEP_DATASET_ID` from the profile or the environment.
 *
 * @since 0.1.0
 * @category configuration
 */
export const datasetId = (flag: Option.Option<string>): Effect.Effect<string, UsageError> =>
  Option.isSome(flag)
    ? Effect.succeed(flag.value)
    : Config.string("AEP_DATASET_ID").pipe(
      Effect.mapError(() =>
        new UsageError({ message: "--dataset is required (or set AEP_DATASET_ID, or datasetId in the profile)" })
      )
    )

/**
 * Runs `body` with an `AepClient` configured from the profile and the environment, and with
 * `--trace`, prints its spans when it ends. Warnings about the profiles file go to standard error.
 *
 * @since 0.1.0
 * @category running
 */
export const withAep = <A, E, R>(
  common: Common,
  body: Effect.Effect<A, E, R>
): Effect.Effect<
  A,
  E | Profiles.ProfileError | ConfigError.ConfigError,
  Exclude<R, AepClient.AepClient> | FileSystem.FileSystem | Output.Output
> =>
  withProfile(common, body.pipe(Effect.provide(AepNode.layerConfig)))

/**
 * Runs `body` under the profile's configuration (no client), tracing it if asked.
 *
 * @since 0.1.0
 * @category running
 */
export const withProfile = <A, E, R>(
  common: Common,
  body: Effect.Effect<A, E, R>
): Effect.Effect<A, E | Profiles.ProfileError, R | FileSystem.FileSystem | Output.Output> =>
  Effect.gen(function*() {
    const resolved = yield* Profiles.resolve(common.profile)
    for (const warning of resolved.warnings) yield* Output.errorLine(warning)
    const configured = body.pipe(Effect.withConfigProvider(resolved.provider))
    if (!common.trace) return yield* configured
    const secrets = [...resolved.settings]
      .filter(([variable]) => Profiles.secretVariables.has(variable) || variable === "AEP_ORG_ID")
      .map(([, setting]) => setting.value)
    return yield* SpanSummary.recording(configured, (spans) => Output.errorLine(SpanSummary.render(spans, secrets)))
  })

/**
 * Prints `value` as JSON on standard output.
 *
 * @since 0.1.0
 * @category output
 */
export const printJson = (value: unknown): Effect.Effect<void, never, Output.Output> =>
  Output.line(JSON.stringify(value, null, 2))
