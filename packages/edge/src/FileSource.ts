/**
 * Upload sources on edge runtimes: a `Blob` (or `File`), a `ReadableStream` with a known size,
 * or bytes in memory. Bytes are streamed as they are sent.
 *
 * @since 0.1.0
 */
import * as Stream from "effect/Stream"
import * as Files from "@effect-aep/core/Files"

/**
 * Reading a stream failed.
 *
 * @since 0.1.0
 * @category errors
 */
export class SourceError extends Error {
  readonly _tag = "SourceError"
}

/**
 * A `Blob` or `File` (e.g. from `request.formData()` or R2). Re-readable: a retried request
 * resends the same bytes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromBlob = (path: string, blob: Blob): Files.FileSource<SourceError> => ({
  path,
  size: blob.size,
  stream: Stream.fromReadableStream(() => blob.stream(), (cause) => new SourceError(`reading ${path} failed`, { cause }))
})

/**
 * A `ReadableStream` (e.g. a request body) of `size` bytes. A stream can be read once only, so a
 * request that must be sent again fails instead of resending: prefer `fromBlob` where you can.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromReadableStream = (
  path: string,
  body: ReadableStream<Uint8Array>,
  size: number
): Files.FileSource<SourceError> => {
  let used = false
  return {
    path,
    size,
    // A second run must fail as documented, not die on a locked (or drained) stream.
    stream: Stream.suspend(() => {
      if (used) {
        return Stream.fail(
          new SourceError(`reading ${path} failed: a ReadableStream can be read once only, and the request had to be sent again`)
        )
      }
      used = true
      return Stream.fromReadableStream(() => body, (cause) => new SourceError(`reading ${path} failed`, { cause }))
    })
  }
}

/**
 * Bytes in memory.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromBytes: (path: string, bytes: Uint8Array) => Files.FileSource = Files.fromBytes
