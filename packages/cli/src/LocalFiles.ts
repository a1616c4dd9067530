/**
 * The files named on the command line, as upload sources: checked to exist and to be regular
 * files before anything is sent, named in the batch by their file name, and their format guessed
 * from the extension when `--format` is not given.
 *
 * @since 0.1.0
 */
import type * as Files from "@effect-aep/core/Files"
import * as FileSource from "@effect-aep/node/FileSource"
import type * as PlatformError from "@effect/platform/Error"
import * as Effect from "effect/Effect"
import { UsageError } from "./Failure.js"

/**
 * Opens every file (stat only; bytes are streamed during the upload). Two files with the same
 * name would land on the same path in the batch, so that is refused.
 *
 * @since 0.1.0
 * @category constructors
 */
export const load = (
  paths: ReadonlyArray<string>
): Effect.Effect<Array<Files.FileSource<PlatformError.PlatformError>>, PlatformError.PlatformError | UsageError> =>
  Effect.gen(function*() {
    const sources = yield* Effect.forEach(paths, (path) => FileSource.fromPath(path))
    const seen = new Map<string, string>()
    for (const [index, source] of sources.entries()) {
      const earlier = seen.get(source.path)
      if (earlier !== undefined) {
        return yield* new UsageError({
          message: `${earlier} and ${paths[index]} would both be ${source.path} in the batch: rename one of them`
        })
      }
      seen.set(source.path, paths[index]!)
    }
    return sources
  })

const byExtension: ReadonlyArray<readonly [RegExp, "json" | "csv" | "parquet"]> = [
  [/\.(json|jsonl|ndjson)$/i, "json"],
  [/\.(csv|tsv)$/i, "csv"],
  [/\.parquet$/i, "parquet"]
]

/**
 * The format the files' extensions say, when they all say the same; otherwise a usage error
 * asking for `--format`.
 *
 * @since 0.1.0
 * @category formats
 */
export const inferFormat = (paths: ReadonlyArray<string>): Effect.Effect<"json" | "csv" | "parquet", UsageError> => {
  const found = new Set(paths.map((path) => byExtension.find(([pattern]) => pattern.test(path))?.[1]))
  const [only] = [...found]
  return found.size === 1 && only !== undefined
    ? Effect.succeed(only)
    : Effect.fail(
      new UsageError({
        message: found.has(undefined)
          ? "cannot tell the format from the file names: give --format json, csv or parquet"
          : `the files are of several formats (${[...found].join(", ")}): a batch holds one; give --format`
      })
    )
}
