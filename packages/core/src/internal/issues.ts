import * as ParseResult from "effect/ParseResult"
import { Issue } from "../AepError.js"

/** `["inputFormat", "format"]` → `inputFormat.format`, `["errors", 0, "code"]` → `errors[0].code`. */
export const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>((acc, key) => {
    if (typeof key === "number") return `${acc}[${key}]`
    const name = String(key)
    return acc === "" ? name : `${acc}.${name}`
  }, "")

/** Flattens a ParseError into one readable issue per failing path. */
export const fromParseError = (error: ParseResult.ParseError): ReadonlyArray<Issue> =>
  ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) =>
    new Issue({ path: formatPath(issue.path), message: issue.message })
  )
