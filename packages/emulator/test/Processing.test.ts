import { assert, describe, it } from "@effect/vitest"
import * as Processing from "../src/Processing.js"

const encoder = new TextEncoder()
const utf8 = (text: string): Uint8Array => encoder.encode(text)

const json: Processing.InputFormat = { format: "json" }
const multiLine: Processing.InputFormat = { format: "json", isMultiLineJson: true }
const csv: Processing.InputFormat = { format: "csv" }
const parquetFormat: Processing.InputFormat = { format: "parquet" }

/**
 * Feeds `chunks` through one reused scratch buffer that is scribbled over after every push, the
 * way an HTTP body stream may reuse its buffers: a processor that kept a reference would break.
 */
const process = (
  chunks: ReadonlyArray<Uint8Array>,
  format: Processing.InputFormat,
  name = "data.json",
  limits?: Processing.Limits
): Processing.FileResult => {
  const processor = Processing.makeFileProcessor(name, format, limits)
  const scratch = new Uint8Array(Math.max(1, ...chunks.map((chunk) => chunk.length)))
  for (const chunk of chunks) {
    scratch.set(chunk)
    processor.push(scratch.subarray(0, chunk.length))
    scratch.fill(0xff)
  }
  return processor.finish()
}

const whole = (bytes: Uint8Array, format: Processing.InputFormat, name?: string, limits?: Processing.Limits) =>
  process([bytes], format, name, limits)

/** Every way to cut `bytes` in two, and byte by byte, must read the same as one piece. */
const assertChunkingDoesNotMatter = (
  bytes: Uint8Array,
  format: Processing.InputFormat,
  limits?: Processing.Limits
): Processing.FileResult => {
  const expected = whole(bytes, format, "data.json", limits)
  for (let at = 0; at <= bytes.length; at++) {
    const result = process([bytes.subarray(0, at), bytes.subarray(at)], format, "data.json", limits)
    assert.deepStrictEqual(result, expected, `split at byte ${at}`)
  }
  const single = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1))
  assert.deepStrictEqual(process(single, format, "data.json", limits), expected, "1-byte chunks")
  return expected
}

const rowError = (raw: string, filename = "data.json"): Processing.RowError => ({
  _corrupt_record: raw,
  _errors: [{ code: "1401", message: Processing.corruptRowMessage }],
  _filename: filename
})

describe("Processing", () => {
  describe("JSON lines", () => {
    it("counts one record per non-blank line, with or without a final newline, CRLF or LF", () => {
      const bytes = utf8("{\"a\":1}\n\n   \n{\"b\":2}\r\n\t\r\n{\"c\":[1,2,3]}")
      const result = whole(bytes, json)
      assert.deepStrictEqual(result, { name: "data.json", bytes: bytes.length, records: 3, failedRecords: 0, rowErrors: [] })
    })

    it("reports each line that is not a JSON object as a corrupt row in the documented diagnostics shape", () => {
      const lines = ["{\"a\":1}", "{missingQuotes: 'v1'}", "[1,2]", "42", "\"text\"", "null", "{\"ok\":true}", "{\"a\":"]
      const result = whole(utf8(lines.join("\n") + "\n"), json)
      assert.strictEqual(result.records, 8)
      assert.strictEqual(result.failedRecords, 6)
      assert.isUndefined(result.fileError)
      assert.deepStrictEqual(result.rowErrors, [
        rowError("{missingQuotes: 'v1'}"),
        rowError("[1,2]"),
        rowError("42"),
        rowError("\"text\""),
        rowError("null"),
        rowError("{\"a\":")
      ])
    })

    it("reads the same whatever the chunk boundaries, even inside multi-byte characters", () => {
      const text = "\uFEFF{\"name\":\"café\"}\r\n{\"name\": \"café 😀 €\"\n\n{\"emoji\":\"😀😀\",\"n\":1}\n€uro\r\n{}"
      const result = assertChunkingDoesNotMatter(utf8(text), json)
      assert.strictEqual(result.records, 5)
      assert.strictEqual(result.failedRecords, 2)
      assert.deepStrictEqual(result.rowErrors, [rowError("{\"name\": \"café 😀 €\""), rowError("€uro")])
    })

    it("reports a line that is not UTF-8 as a corrupt row", () => {
      const bytes = new Uint8Array([...utf8("{\"a\":1}\n{\"a\":\""), 0xc3, 0x28, ...utf8("\"}\n{\"b\":2}\n")])
      const result = assertChunkingDoesNotMatter(bytes, json)
      assert.strictEqual(result.records, 3)
      assert.strictEqual(result.failedRecords, 1)
      assert.strictEqual(result.rowErrors[0]?._corrupt_record, "{\"a\":\"\uFFFD(\"}")
    })

    it("skips a line longer than maxRecordBytes as a corrupt row instead of buffering it", () => {
      const long = `{"pad":"${"x".repeat(300)}"}`
      const text = `{"a":1}\n${long}\n{"b":2}\n${long}`
      const limits = { maxRecordBytes: 100, maxCorruptRecordLength: 20 }
      const result = assertChunkingDoesNotMatter(utf8(text), json, limits)
      assert.strictEqual(result.records, 4)
      assert.strictEqual(result.failedRecords, 2)
      assert.deepStrictEqual(result.rowErrors, [rowError(long.slice(0, 20)), rowError(long.slice(0, 20))])

      const processor = Processing.makeFileProcessor("data.json", json, limits)
      processor.push(utf8(`{"pad":"`))
      for (let i = 0; i < 1000; i++) processor.push(utf8("x".repeat(1000)))
      assert.isAtMost(processor.retainedBytes(), 256)
      processor.push(utf8("\"}\n{\"ok\":1}\n"))
      assert.deepStrictEqual(processor.finish().rowErrors, [rowError(`{"pad":"${"x".repeat(12)}`)])
    })

    it("keeps the first 1000 row errors, cut to 1024 characters, but counts every failure", () => {
      const long = "y".repeat(5000)
      const text = `${long}\n` + "nope\n".repeat(2499) + "{\"a\":1}\n"
      const result = whole(utf8(text), json)
      assert.strictEqual(result.records, 2501)
      assert.strictEqual(result.failedRecords, 2500)
      assert.strictEqual(result.rowErrors.length, 1000)
      assert.strictEqual(result.rowErrors[0]?._corrupt_record, "y".repeat(1024))
      assert.strictEqual(result.rowErrors[999]?._corrupt_record, "nope")
    })

    it("refuses an empty or whitespace-only file with code 106", () => {
      for (const text of ["", "\n", "  \r\n\t\n", "\uFEFF\n"]) {
        const result = whole(utf8(text), json, "empty.json")
        assert.strictEqual(result.records, 0, JSON.stringify(text))
        assert.strictEqual(result.fileError?.code, "106")
        assert.strictEqual(
          result.fileError?.description,
          "The file empty.json is empty. Upload a file that contains at least one record."
        )
      }
    })
  })

  describe("multi-line JSON", () => {
    it("reads an array as one record per element, reporting non-objects as corrupt", () => {
      const text = "[\n  {\"a\": 1},\n  {\"b\": {\"c\": \"😀\"}},\n  42,\n  [1, 2],\n  {}\n]\n"
      const result = assertChunkingDoesNotMatter(utf8(text), multiLine)
      assert.strictEqual(result.records, 5)
      assert.strictEqual(result.failedRecords, 2)
      assert.deepStrictEqual(result.rowErrors, [rowError("42"), rowError("[1,2]")])
    })

    it("reads a pretty-printed object as one record", () => {
      const bytes = utf8("{\n  \"name\": \"café\",\n  \"tags\": [\"x\"]\n}\n")
      const result = assertChunkingDoesNotMatter(bytes, multiLine)
      assert.deepStrictEqual(result, { name: "data.json", bytes: bytes.length, records: 1, failedRecords: 0, rowErrors: [] })
    })

    it("reports a file that is not one JSON value as a single corrupt record", () => {
      for (const text of ["{\"a\":1}\n{\"b\":2}\n", "this is not json", "[{\"a\":1},", "42"]) {
        const result = whole(utf8(text), multiLine)
        assert.strictEqual(result.records, 1, text)
        assert.strictEqual(result.failedRecords, 1, text)
        assert.deepStrictEqual(result.rowErrors, [rowError(text)])
      }
    })

    it("reads an empty array as no records, and refuses an empty file with 106", () => {
      assert.deepStrictEqual(whole(utf8(" [ ] "), multiLine).records, 0)
      assert.isUndefined(whole(utf8(" [ ] "), multiLine).fileError)
      assert.strictEqual(whole(utf8(" \n "), multiLine).fileError?.code, "106")
      assert.strictEqual(whole(new Uint8Array(0), multiLine).fileError?.code, "106")
    })

    it("stops buffering a document larger than maxDocumentBytes and reports it as one corrupt record", () => {
      const limits = { maxDocumentBytes: 1000, maxCorruptRecordLength: 10 }
      const processor = Processing.makeFileProcessor("big.json", multiLine, limits)
      processor.push(utf8("["))
      for (let i = 0; i < 100; i++) processor.push(utf8("{\"a\":1},".repeat(20)))
      assert.isAtMost(processor.retainedBytes(), 1000)
      processor.push(utf8("{}]"))
      const result = processor.finish()
      assert.strictEqual(result.records, 1)
      assert.deepStrictEqual(result.rowErrors, [rowError("[{\"a\":1},{", "big.json")])
    })
  })

  describe("CSV", () => {
    it("reads quoted delimiters, newlines and doubled quotes inside fields, and CRLF rows", () => {
      const text = "id,name,note\r\n1,\"Smith, John\",plain\r\n2,\"two\r\nlines\",\"say \"\"hi\"\"\"\r\n\r\n3,,\"\"\r\n"
      const result = assertChunkingDoesNotMatter(utf8(text), csv)
      assert.deepStrictEqual(result, { name: "data.json", bytes: text.length, records: 3, failedRecords: 0, rowErrors: [] })
    })

    it("reports rows with fewer or more fields than the header as corrupt, with the row's text", () => {
      const text = "a,b,c\n1,2,3\n1,2\n1,2,3,4\n\"x\ny\",2,3\n\"x,\ny\",2\n4,5,6"
      const result = assertChunkingDoesNotMatter(utf8(text), csv)
      assert.strictEqual(result.records, 6)
      assert.strictEqual(result.failedRecords, 3)
      assert.deepStrictEqual(result.rowErrors, [rowError("1,2"), rowError("1,2,3,4"), rowError("\"x,\ny\",2")])
    })

    it("with header false, counts the first row as data and takes the column count from it", () => {
      for (const header of [false, "false"]) {
        const result = whole(utf8("1,2\n3,4\n5\n"), { format: "CSV", header })
        assert.strictEqual(result.records, 3)
        assert.strictEqual(result.failedRecords, 1)
        assert.deepStrictEqual(result.rowErrors, [rowError("5")])
      }
    })

    it("takes another delimiter, a backslash escape, and multi-byte text split anywhere", () => {
      const semicolons = "name;city\n\"Müller; Jürgen\";Köln\n\"O\\\"Brien\";\"Zürich\"\nonly one\n"
      const result = assertChunkingDoesNotMatter(utf8(semicolons), { format: "csv", delimiter: ";", escape: "\\" })
      assert.strictEqual(result.records, 3)
      assert.deepStrictEqual(result.rowErrors, [rowError("only one")])
      const tabs = whole(utf8("a\tb\n1\t2\n"), { format: "csv", delimiter: "\\t" })
      assert.deepStrictEqual([tabs.records, tabs.failedRecords], [1, 0])
    })

    it("reports a quote left open at the end of the file as one corrupt row", () => {
      const result = whole(utf8("a,b\n1,2\n3,\"never closed\n4,5\n"), csv)
      assert.strictEqual(result.records, 2)
      assert.deepStrictEqual(result.rowErrors, [rowError("3,\"never closed\n4,5\n")])
    })

    it("refuses an empty file with 106, and reads a header without rows as no records", () => {
      assert.strictEqual(whole(new Uint8Array(0), csv, "x.csv").fileError?.code, "106")
      assert.strictEqual(whole(utf8("\r\n\n  \n"), csv, "x.csv").fileError?.code, "106")
      const headerOnly = whole(utf8("a,b,c\n"), csv, "x.csv")
      assert.deepStrictEqual([headerOnly.records, headerOnly.fileError], [0, undefined])
    })

    it("holds no more than a row's first characters, however long the row", () => {
      const processor = Processing.makeFileProcessor("wide.csv", csv)
      processor.push(utf8("a,b\n"))
      const chunk = utf8("\"" + "z".repeat(100_000))
      for (let i = 0; i < 50; i++) processor.push(chunk)
      assert.isAtMost(processor.retainedBytes(), 1024)
      processor.push(utf8("\",1,2\n"))
      assert.deepStrictEqual([processor.finish().failedRecords], [1])
    })
  })

  describe("Parquet", () => {
    it("takes the record count from the footer's num_rows", () => {
      const result = assertChunkingDoesNotMatter(parquetFile(basicFooter(1234n)), parquetFormat)
      assert.strictEqual(result.records, 1234)
      assert.strictEqual(result.failedRecords, 0)
      assert.isUndefined(result.fileError)
    })

    it("skips every compact-protocol type that may precede num_rows", () => {
      const footer = [
        ...longField(8, 100), ...varint(5n), ...utf8("hello"), // binary
        ...longField(7, 101), 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, // double 1.0
        ...longField(1, 102), // bool true, the value is the type
        ...longField(11, 103), ...varint(2n), 0x85, 1, 0x61, 2, 1, 0x62, 4, // map<string, i32>
        ...longField(10, 104), 0xf3, ...varint(20n), ...new Array<number>(20).fill(7), // set<byte> of 20
        ...longField(9, 105), 0x31, 1, 2, 1, // list<bool>
        ...longField(12, 106), 0x15, 2, ...longField(5, 200), 4, 0x1c, 0x48, 1, 0x7a, 0, 0, // struct { i32, i32, struct { binary } }
        ...longField(4, 107), 0xfe, 0x03, // i16
        ...longField(3, 108), 0x7f, // byte
        ...longField(6, 3), ...varint(zigzag(5_000_000_000n)), // num_rows beyond 32 bits
        0
      ]
      assert.strictEqual(whole(parquetFile(footer), parquetFormat).records, 5_000_000_000)
    })

    it("refuses a file without the PAR1 magic as a whole", () => {
      const valid = parquetFile(basicFooter(10n))
      const noHead = valid.slice()
      noHead[0] = 0x51
      const noTail = valid.slice()
      noTail[noTail.length - 1] = 0x32
      for (const [bytes, why] of [[noHead, "start"], [noTail, "end"], [utf8("PAR1PAR1"), "12 bytes"]] as const) {
        const result = whole(bytes, parquetFormat, "data.parquet")
        assert.deepStrictEqual([result.records, result.failedRecords, result.rowErrors], [0, 0, []])
        assert.strictEqual(result.fileError?.code, "INGEST-1401-400")
        assert.include(result.fileError?.description, "data.parquet is not a valid Parquet file")
        assert.include(result.fileError?.description, why)
      }
    })

    it("refuses a file whose footer is cut short, overruns the file or lacks num_rows", () => {
      const footer = basicFooter(1234n)
      const cut = footer.slice(0, footer.indexOf(0x16) + 2) // num_rows' varint loses its last byte
      const noRows = [0x15, 2, 0]
      const overrun = [...utf8("PAR1"), ...footer, 0xff, 0xff, 0, 0, ...utf8("PAR1")]
      for (const bytes of [parquetFile(cut), parquetFile(noRows), new Uint8Array(overrun)]) {
        const result = whole(bytes, parquetFormat)
        assert.strictEqual(result.records, 0)
        assert.strictEqual(result.fileError?.code, "INGEST-1401-400")
      }
    })

    it("refuses an empty file with 106", () => {
      assert.strictEqual(whole(new Uint8Array(0), parquetFormat).fileError?.code, "106")
    })

    it("holds only the first bytes and a bounded tail of a large file", () => {
      const processor = Processing.makeFileProcessor("big.parquet", parquetFormat)
      processor.push(utf8("PAR1"))
      const chunk = new Uint8Array(1024 * 1024).fill(0xab)
      for (let i = 0; i < 50; i++) processor.push(chunk)
      const footer = basicFooter(42n)
      processor.push(parquetFile(footer).subarray(4))
      assert.isAtMost(processor.retainedBytes(), Processing.defaultLimits.maxParquetFooterBytes + 12)
      assert.strictEqual(processor.finish().records, 42)
    })
  })

  describe("decide", () => {
    const file = (records: number, failedRecords: number, bytes = 100): Processing.FileResult => ({
      name: "f",
      bytes,
      records,
      failedRecords,
      rowErrors: []
    })

    it("succeeds with every row, summing the metrics over the files", () => {
      const outcome = Processing.decide([file(10, 0, 568), file(20, 0, 1000), file(0, 0, 12)], {})
      assert.deepStrictEqual(outcome, {
        status: "success",
        recordCount: 30,
        failedRecordCount: 0,
        metrics: {
          inputByteSize: 1580,
          inputFileCount: 3,
          inputRecordCount: 30,
          outputRecordCount: 30,
          failedRecordCount: 0
        },
        errors: []
      })
    })

    it("ingests the good rows of a partial batch and reports the documented error pair", () => {
      const outcome = Processing.decide([file(300, 2, 300), file(219, 3, 268)], { partialIngestionPercentage: 5 })
      assert.deepStrictEqual(outcome, {
        status: "success",
        recordCount: 514,
        failedRecordCount: 5,
        metrics: {
          inputByteSize: 568,
          inputFileCount: 2,
          inputRecordCount: 519,
          outputRecordCount: 514,
          failedRecordCount: 5
        },
        errors: [
          {
            code: "INGEST-1212-400",
            description:
              "Encountered 5 errors in the data. Successfully ingested 514 rows. Please review the associated diagnostic files for more details."
          },
          {
            code: "INGEST-1401-400",
            description: "The row has corrupted data and cannot be read or parsed. Fix the corrupted data and try again.",
            recordCount: 5
          }
        ]
      })
    })

    it("succeeds exactly at the allowed percentage and fails just above it", () => {
      assert.strictEqual(Processing.decide([file(100, 5)], { partialIngestionPercentage: 5 }).status, "success")
      assert.strictEqual(Processing.decide([file(1000, 1)], { partialIngestionPercentage: 0.1 }).status, "success")
      assert.strictEqual(Processing.decide([file(3, 1)], { partialIngestionPercentage: 100 / 3 }).status, "success")
      const above = Processing.decide([file(100, 6)], { partialIngestionPercentage: 5 })
      assert.strictEqual(above.status, "failed")
      assert.deepStrictEqual([above.recordCount, above.failedRecordCount, above.metrics.outputRecordCount], [0, 6, 0])
      assert.deepStrictEqual(above.errors, [
        {
          code: "INGEST-1212-400",
          description:
            "Encountered 6 errors in the data: 6% of 100 rows failed, more than the 5% that partial ingestion allows. No rows were ingested. Please review the associated diagnostic files for more details."
        },
        {
          code: "INGEST-1401-400",
          description: "The row has corrupted data and cannot be read or parsed. Fix the corrupted data and try again.",
          recordCount: 6
        }
      ])
    })

    it("allows no failed row by default", () => {
      assert.strictEqual(Processing.decide([file(1_000_000, 1)]).status, "failed")
      assert.strictEqual(Processing.decide([file(1_000_000, 0)]).status, "success")
    })

    it("fails on any file refused as a whole, whatever the percentage", () => {
      const empty = whole(new Uint8Array(0), json, "empty.json")
      const outcome = Processing.decide([file(10, 1), empty], { partialIngestionPercentage: 100 })
      assert.strictEqual(outcome.status, "failed")
      assert.deepStrictEqual(outcome.metrics, {
        inputByteSize: 100,
        inputFileCount: 2,
        inputRecordCount: 10,
        outputRecordCount: 0,
        failedRecordCount: 1
      })
      assert.deepStrictEqual(outcome.errors.map((error) => error.code), ["106", "INGEST-1212-400", "INGEST-1401-400"])
      assert.deepStrictEqual(outcome.errors[0], {
        code: "106",
        description: "The file empty.json is empty. Upload a file that contains at least one record.",
        rows: []
      })
      assert.strictEqual(
        outcome.errors[1]?.description,
        "Encountered 1 errors in the data. No rows were ingested because the batch failed. Please review the associated diagnostic files for more details."
      )
    })

    it("fails a batch without files", () => {
      const outcome = Processing.decide([], { partialIngestionPercentage: 100 })
      assert.strictEqual(outcome.status, "failed")
      assert.strictEqual(outcome.metrics.inputFileCount, 0)
      assert.deepStrictEqual(outcome.errors, [{
        code: "106",
        description: "The batch has no files. Upload at least one file before completing the batch.",
        rows: []
      }])
    })

    it("decides from what the processors read", () => {
      const good = whole(utf8("{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n"), json, "a.json")
      const partly = whole(utf8("{\"a\":1}\nbroken\n"), json, "b.json")
      const outcome = Processing.decide([good, partly], { partialIngestionPercentage: 25 })
      assert.deepStrictEqual(
        [outcome.status, outcome.metrics.inputByteSize, outcome.metrics.inputRecordCount, outcome.recordCount],
        ["success", 39, 5, 4]
      )
    })
  })

  it("reads a stored inputFormat leniently", () => {
    assert.deepStrictEqual(Processing.readInputFormat({ format: "JSON", isMultiLineJson: "true" }), {
      format: "json",
      isMultiLineJson: true
    })
    assert.deepStrictEqual(Processing.readInputFormat({ format: "CSV", delimiter: ";", header: "false", x: 1 }), {
      format: "csv",
      delimiter: ";",
      header: "false"
    })
    assert.deepStrictEqual(Processing.readInputFormat(undefined), { format: "parquet" })
    assert.strictEqual(whole(utf8("1;2\n3;4\n"), Processing.readInputFormat({ format: "Csv", delimiter: ";" })).records, 1)
  })

  it("validates 200 MB of JSON lines in 1 MB chunks while holding only about one line", () => {
    const valid = `{"id":123456,"name":"emulator","pad":"${"p".repeat(400)}"}\n`
    const unit = utf8(valid.repeat(9) + "not json at all\n")
    const chunkSize = 1024 * 1024
    // One buffer, reused: chunk k is a window into the endless repetition of `unit`.
    const pattern = new Uint8Array(chunkSize + unit.length)
    for (let at = 0; at < pattern.length; at += unit.length) pattern.set(unit.subarray(0, pattern.length - at), at)
    const processor = Processing.makeFileProcessor("big.json", json)
    let retained = 0
    let sent = 0
    for (let k = 0; k < 200; k++) {
      const offset = sent % unit.length
      processor.push(pattern.subarray(offset, offset + chunkSize))
      sent += chunkSize
      retained = Math.max(retained, processor.retainedBytes())
    }
    const rest = (unit.length - (sent % unit.length)) % unit.length
    processor.push(pattern.subarray(sent % unit.length, sent % unit.length + rest))
    sent += rest
    const result = processor.finish()
    const units = sent / unit.length
    assert.deepStrictEqual([result.bytes, result.records, result.failedRecords], [sent, units * 10, units])
    assert.strictEqual(result.rowErrors.length, 1000)
    assert.isAtMost(retained, 4096)
  })
})

// --- a minimal Parquet writer: magic, some bytes, a Thrift-compact FileMetaData, its length ---

function varint(value: bigint): Array<number> {
  const out: Array<number> = []
  while (value >= 0x80n) {
    out.push(Number(value & 0x7fn) | 0x80)
    value >>= 7n
  }
  out.push(Number(value))
  return out
}

function zigzag(value: bigint): bigint {
  return value >= 0n ? value << 1n : ((-value) << 1n) - 1n
}

/** A field header in the long form: the type, then the id as a zigzag varint. */
function longField(type: number, id: number): Array<number> {
  return [type, ...varint(zigzag(BigInt(id)))]
}

/** FileMetaData { 1: version = 1, 2: schema = [root(1 child), id INT64 REQUIRED], 3: num_rows, 4: row_groups = [] } */
function basicFooter(rows: bigint): Array<number> {
  return [
    0x15, ...varint(zigzag(1n)), // 1: version, i32
    0x19, 0x2c, // 2: schema, list of 2 structs
    0x48, 6, ...utf8("schema"), 0x15, ...varint(zigzag(1n)), 0, // name, num_children
    0x15, ...varint(zigzag(2n)), 0x25, 0, 0x18, 2, ...utf8("id"), 0, // type INT64, repetition REQUIRED, name
    0x16, ...varint(zigzag(rows)), // 3: num_rows, i64
    0x19, 0x0c, // 4: row_groups, empty list of structs
    0
  ]
}

function parquetFile(footer: ReadonlyArray<number>): Uint8Array {
  const length = footer.length
  return new Uint8Array([
    ...utf8("PAR1"),
    ...utf8("column chunk bytes"),
    ...footer,
    length & 0xff,
    (length >> 8) & 0xff,
    (length >> 16) & 0xff,
    (length >>> 24) & 0xff,
    ...utf8("PAR1")
  ])
}
