/**
 * Files on disk as upload sources: the size comes from `stat`, the bytes are streamed from the
 * file as they are sent (never read whole), and every send re-reads from the start, so a retried
 * request resends the same bytes.
 *
 * @since 0.1.0
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodeStream from "@effect/platform-node/NodeStream"
import { type PlatformError, SystemError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import type * as Files from "@effect-aep/core/Files"
import { createReadStream } from "node:fs"
import { basename } from "node:path"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The name inside the batch (directories allowed). Default: the file's own name. */
  readonly path?: string | undefined
  /** How much is read from disk at a time. Default 1 MiB. */
  readonly readChunkSize?: number | undefined
}

/**
 * A file on disk as an upload source. Fails when the file cannot be `stat`ed or is not a
 * regular file.
 *
 * @example
 * ```ts
 * import { Ingest } from "@effect-aep/core"
 * import { FileSource } from "@effect-aep/node"
 * import { Effect } from "effect"
 *
 * const ingest = Effect.flatMap(FileSource.fromPath("./data/people.json"), (file) =>
 *   Ingest.run({ datasetId: "5c8c3c555033b814b69f947f", inputFormat: { format: "json" }, files: [file] }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromPath = (
  localPath: string,
  options: Options = {}
): Effect.Effect<Files.FileSource<PlatformError>, PlatformError> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const info = yield* fs.stat(localPath)
    if (info.type !== "File") {
      return yield* new SystemError({
        module: "FileSystem",
        method: "stat",
        reason: "BadResource",
        description: `${localPath} is a ${info.type.toLowerCase()}, not a file`,
        pathOrDescriptor: localPath
      })
    }
    return {
      path: options.path ?? basename(localPath),
      size: Number(info.size),
      // Node's own read stream: it reads one buffer ahead and lets each go as soon as it is sent
      // (the platform FileSystem stream reads further ahead), which keeps an upload's memory flat.
      stream: NodeStream.fromReadable(
        () => createReadStream(localPath, { highWaterMark: options.readChunkSize ?? 1024 * 1024 }),
        (cause) =>
          new SystemError({
            module: "FileSystem",
            method: "stream",
            reason: "Unknown",
            description: `reading ${localPath} failed: ${cause instanceof Error ? cause.message : String(cause)}`,
            pathOrDescriptor: localPath
          })
      )
    }
  }).pipe(Effect.provide(NodeFileSystem.layer))
