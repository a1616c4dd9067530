import * as ParseResult from "effect/ParseResult"
import { Issue } from "../AepError.js"

/** `["inputFormat", "format"]` → `inputFormat.format`, `["errors", 0, "code"]` → `errors[0].code`. */
export const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>((acc, key) => {
    if (typeof key === "number") return `${acc}[${key}]`
    const name = String(key)
    return acc === "" ? name : `${acc}.${name}`
  }, "")

/**
 * Flattens a ParseError into one readable issue per failing path. An optional field is a union
 * with `undefined`, whose branch adds "Expected undefined, actual …" next to the real problem:
 * that noise is dropped wherever the same path has another issue.
 */
export const fromParseError = (error: ParseResult.ParseError): ReadonlyArray<Issue> => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) =>
    new Issue({ path: formatPath(issue.path), message: issue.message })
  )
  const isNoise = (issue: Issue) => issue.message.startsWith("Expected undefined, actual ")
  return issues.filter((issue) =>
    !isNoise(issue) || !issues.some((other) => other !== issue && other.path.startsWith(issue.path) && !isNoise(other))
  )
}
