/**
 * The name a file gets inside a batch, e.g. `people.json` or `part=2026-12/people.json`.
 * Directories are kept (AEP stores them as partitions); each segment is checked and
 * percent-encoded on its own, so that no name can reach another URL than its own: a URL parser
 * resolves `.` and `..` segments (and their encoded forms) before the request is sent.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

const maxLength = 1024

/**
 * A checked file path: segments separated by `/`, none empty, `.` or `..` (also after
 * percent-decoding, so `%2e%2e` is refused too), no control characters or backslashes.
 *
 * @since 0.1.0
 * @category schemas
 */
export const FilePath = Schema.String.pipe(
  Schema.filter((path) => {
    if (path.length === 0) return "must not be empty"
    if (path.length > maxLength) return `must be at most ${maxLength} characters`
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f\\]/.test(path)) return "must not contain control characters or backslashes"
    for (const segment of path.split("/")) {
      let decoded = segment
      try {
        decoded = decodeURIComponent(segment)
      } catch {
        // Not percent-encoding: the segment is taken literally and encoded when sent.
      }
      if (segment === "") return "must not have empty segments (a leading, trailing or doubled '/')"
      if (decoded === "." || decoded === "..") return `must not have '.' or '..' segments (got '${segment}')`
    }
    return true
  }),
  Schema.brand("@effect-aep/core/FilePath")
)

/**
 * @since 0.1.0
 * @category models
 */
export type FilePath = typeof FilePath.Type

/**
 * The path as it goes into the URL: each segment percent-encoded (`%` included, so a name that
 * looks encoded stays that name), separators kept.
 *
 * @since 0.1.0
 * @category encoding
 */
export const toUrlPath = (path: FilePath): string => path.split("/").map(encodeURIComponent).join("/")
