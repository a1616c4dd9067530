import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as FilePath from "../src/FilePath.js"

const decode = Schema.decodeUnknownEither(FilePath.FilePath)

const accepted = (path: string): FilePath.FilePath => {
  const result = decode(path)
  if (Either.isLeft(result)) assert.fail(`${JSON.stringify(path)} was refused: ${ParseResult.TreeFormatter.formatErrorSync(result.left)}`)
  return result.right
}

const refusal = (path: string): string => {
  const result = decode(path)
  if (Either.isRight(result)) return assert.fail(`${JSON.stringify(path)} was accepted`)
  return ParseResult.TreeFormatter.formatErrorSync(result.left)
}

describe("FilePath", () => {
  it("accepts plain names, partition directories and names with dots inside", () => {
    for (
      const path of [
        "people.json",
        "part=2026-12/people.json",
        "a/b/c/d.parquet",
        "...",
        "..hidden",
        "file..json",
        ".profile",
        "name with spaces.csv",
        "ünïcødé/数据.json",
        "x".repeat(1024)
      ]
    ) {
      assert.strictEqual(accepted(path), path)
    }
  })

  it("refuses every way of reaching another URL: '.', '..', their encodings, empty segments", () => {
    const cases: ReadonlyArray<readonly [string, RegExp]> = [
      ["..", /'\.' or '\.\.' segments/],
      [".", /'\.' or '\.\.' segments/],
      ["../etc/passwd", /'\.' or '\.\.' segments \(got '\.\.'\)/],
      ["a/../b", /'\.' or '\.\.' segments/],
      ["a/./b", /'\.' or '\.\.' segments \(got '\.'\)/],
      ["a/..", /'\.' or '\.\.' segments/],
      ["%2e%2e", /got '%2e%2e'/],
      ["%2E%2E/secret", /got '%2E%2E'/],
      ["a/%2e/b", /got '%2e'/],
      [".%2e", /got '\.%2e'/],
      ["%2e.", /got '%2e\.'/],
      ["a//b", /empty segments/],
      ["/people.json", /empty segments/],
      ["people/", /empty segments/],
      ["", /must not be empty/],
      ["x".repeat(1025), /at most 1024 characters/]
    ]
    for (const [path, message] of cases) {
      assert.match(refusal(path), message, JSON.stringify(path))
    }
  })

  it("refuses backslashes and control characters", () => {
    for (const path of ["a\\b.json", "..\\..\\windows", "a\u0000b", "line\nbreak", "tab\there", "del\u007f", "\r"]) {
      assert.match(refusal(path), /control characters or backslashes/, JSON.stringify(path))
    }
  })

  it("refuses non-strings", () => {
    for (const value of [undefined, null, 42, ["a"], { path: "a" }]) {
      assert.isTrue(Either.isLeft(decode(value)))
    }
  })

  it("toUrlPath percent-encodes each segment and keeps the separators", () => {
    assert.strictEqual(FilePath.toUrlPath(accepted("part=2026-12/people.json")), "part%3D2026-12/people.json")
    assert.strictEqual(FilePath.toUrlPath(accepted("a b/c?d#e.json")), "a%20b/c%3Fd%23e.json")
    assert.strictEqual(FilePath.toUrlPath(accepted("数据.json")), "%E6%95%B0%E6%8D%AE.json")
  })

  it("toUrlPath encodes '%' so a name that looks encoded stays that name", () => {
    // `%2f` is not a separator and `%252e` is not a dot: both are sent as literal text.
    assert.strictEqual(FilePath.toUrlPath(accepted("a%2fb.json")), "a%252fb.json")
    assert.strictEqual(FilePath.toUrlPath(accepted("%252e%252e")), "%25252e%25252e")
    assert.strictEqual(decodeURIComponent(FilePath.toUrlPath(accepted("100%.json"))), "100%.json")
  })

  it("no accepted path resolves to another location once encoded into a URL", () => {
    const base = "https://platform.adobe.io/data/foundation/import/batches/b1/datasets/d1/files/"
    for (const path of ["...", "a/.../b", "%252e%252e", "a%2fb", "..x/y..", "part=1/%25/f"]) {
      const url = new URL(base + FilePath.toUrlPath(accepted(path)))
      assert.isTrue(url.pathname.startsWith(new URL(base).pathname), path)
      assert.strictEqual(decodeURIComponent(url.pathname.slice(new URL(base).pathname.length)), path)
    }
  })
})
