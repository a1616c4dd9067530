import { Demo, Emulator } from "@effect-aep/emulator"
import { Cli, Output } from "../src/index.js"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Context, Effect, Exit, Layer, Option, Tracer } from "effect"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { people, workdir } from "./support.js"

/** A span kept in memory: what an exporter would receive. */
class MemorySpan implements Tracer.Span {
  readonly _tag = "Span"
  readonly spanId = Math.random().toString(16).slice(2)
  readonly traceId: string
  readonly attributes = new Map<string, unknown>()
  readonly events: Array<[string, Record<string, unknown> | undefined]> = []
  readonly sampled = true
  status: Tracer.SpanStatus
  links: Array<Tracer.SpanLink>
  constructor(
    readonly name: string,
    readonly parent: Option.Option<Tracer.AnySpan>,
    readonly context: Context.Context<never>,
    links: ReadonlyArray<Tracer.SpanLink>,
    startTime: bigint,
    readonly kind: Tracer.SpanKind
  ) {
    this.traceId = Option.match(parent, { onNone: () => Math.random().toString(16).slice(2), onSome: (p) => p.traceId })
    this.status = { _tag: "Started", startTime }
    this.links = [...links]
  }
  end(endTime: bigint, exit: Exit.Exit<unknown, unknown>) {
    this.status = { _tag: "Ended", startTime: this.status.startTime, endTime, exit }
  }
  attribute(key: string, value: unknown) {
    this.attributes.set(key, value)
  }
  event(name: string, _startTime: bigint, attributes?: Record<string, unknown>) {
    this.events.push([name, attributes])
  }
  addLinks(links: ReadonlyArray<Tracer.SpanLink>) {
    this.links.push(...links)
  }
}

const memoryTracer = () => {
  const spans: Array<MemorySpan> = []
  const tracer = Tracer.make({
    span: (name, parent, context, links, startTime, kind) => {
      const span = new MemorySpan(name, parent, context, links, startTime, kind)
      spans.push(span)
      return span
    },
    context: (f) => f()
  })
  return { tracer, spans }
}

// Credentials of its own, so that leaks are recognisable: OAuth client credentials against the
// emulator's IMS, so that a token is issued during the run.
const credential = { orgId: "SPANTEST0000000000000000@AdobeOrg", apiKey: "span-test-client-R2d", clientSecret: "span-test-secret-Y7q" }

/** Runs `aep ARGS…` in this process with a memory tracer; answers exit code, spans and output. */
const runTraced = (url: string, args: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const { spans, tracer } = memoryTracer()
    const output = Output.makeCapture()
    const env = new Map([
      ["AEP_PLATFORM_URL", url],
      ["AEP_IMS_URL", url],
      ["AEP_ORG_ID", credential.orgId],
      ["AEP_API_KEY", credential.apiKey],
      ["AEP_CLIENT_SECRET", credential.clientSecret],
      ["AEP_CONFIG", join(tmpdir(), "aep-spans-no-config.json")]
    ])
    const code = yield* Cli.run(args).pipe(
      Effect.withTracer(tracer),
      Effect.withConfigProvider(ConfigProvider.fromMap(env)),
      Effect.provide(Layer.merge(NodeContext.layer, Layer.succeed(Output.Output, output)))
    )
    return { code, spans, stdout: output.stdoutText(), stderr: output.stderrText() }
  })

const dump = (spans: ReadonlyArray<MemorySpan>) =>
  JSON.stringify(spans.map((span) => ({ name: span.name, attributes: [...span.attributes], events: span.events })), (_, value) =>
    typeof value === "bigint" ? String(value) : value)

describe("spans", () => {
  it.live("ingest: every library operation is a span with aep.* attributes, and no secret anywhere in them", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.start({ processingDelayMillis: 50, ...credential })
      const dir = workdir({ "people.json": people })
      const { code, spans, stdout } = yield* runTraced(emulator.url, ["ingest", "--dataset", Demo.datasetId, join(dir, "people.json")])
      assert.strictEqual(code, 0, stdout)
      const names = new Set(spans.map((span) => span.name))
      for (const name of ["Ingest.run", "Batches.create", "Files.upload", "Batches.complete", "Batches.awaitCompletion", "Batches.get"]) {
        assert.isTrue(names.has(name), `no ${name} span in ${[...names].join(", ")}`)
      }
      assert.isTrue([...names].some((name) => name.startsWith("http.client")))

      const batchId = stdout.match(/^batch ([0-9a-f]{32}) created/m)![1]!
      const one = (name: string) => spans.find((span) => span.name === name)!
      assert.strictEqual(one("Ingest.run").attributes.get("aep.batch_id"), batchId)
      assert.strictEqual(one("Ingest.run").attributes.get("aep.file_count"), 1)
      assert.strictEqual(one("Ingest.run").attributes.get("aep.bytes"), 32)
      assert.strictEqual(one("Batches.create").attributes.get("aep.dataset_id"), Demo.datasetId)
      assert.strictEqual(one("Batches.create").attributes.get("aep.batch_id"), batchId)
      const upload = one("Files.upload").attributes
      assert.strictEqual(upload.get("aep.batch_id"), batchId)
      assert.strictEqual(upload.get("aep.dataset_id"), Demo.datasetId)
      assert.strictEqual(upload.get("aep.file_path"), "people.json")
      assert.strictEqual(upload.get("aep.file_bytes"), 32)
      assert.strictEqual(one("Batches.awaitCompletion").attributes.get("aep.status"), "success")
      // Spans nest: the upload is inside the ingest.
      const ingest = one("Ingest.run")
      const parentOf = (span: MemorySpan) => Option.getOrUndefined(span.parent)
      let ancestor = parentOf(one("Files.upload"))
      while (ancestor !== undefined && ancestor.spanId !== ingest.spanId) {
        ancestor = ancestor._tag === "Span" ? Option.getOrUndefined(ancestor.parent) : undefined
      }
      assert.isDefined(ancestor)

      const issued = [...emulator.state.tokens.keys()].filter((token) => token !== Demo.accessToken)
      assert.strictEqual(issued.length, 1)
      const everything = dump(spans)
      for (const secret of [credential.clientSecret, credential.apiKey, credential.orgId, ...issued]) {
        assert.notInclude(everything, secret)
      }
    }).pipe(Effect.scoped))

  it.live("--trace prints the span tree with attributes to standard error, and the tracer in force still gets the spans", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.start({ processingDelayMillis: 50, ...credential })
      const created = yield* runTraced(emulator.url, ["batch", "create", "-d", Demo.datasetId, "--format", "json", "-q", "--trace"])
      assert.strictEqual(created.code, 0, created.stderr)
      const batchId = created.stdout.trim()
      const summary = created.stderr
      assert.match(summary, /^trace: \d+ span\(s\)$/m)
      assert.match(summary, new RegExp(`^  Batches\\.create\\s+\\d+(\\.\\d)? (ms|s)\\s+.*aep\\.dataset_id=${Demo.datasetId}.*aep\\.batch_id=${batchId}`, "m"))
      assert.match(summary, /^    http\.client POST\s+\S+ (ms|s)\s+.*http\.response\.status_code=201/m)
      assert.isTrue(created.spans.some((span) => span.name === "Batches.create"))

      const missing = yield* runTraced(emulator.url, ["batch", "get", "0123456789abcdef0123456789abcdef", "--trace"])
      assert.strictEqual(missing.code, 1)
      assert.match(missing.stderr, /^  Batches\.get \(failed: AepHttpError\)/m)

      const issued = [...emulator.state.tokens.keys()].filter((token) => token !== Demo.accessToken)
      for (const output of [created.stderr, missing.stderr]) {
        for (const secret of [credential.clientSecret, credential.apiKey, credential.orgId, ...issued]) {
          assert.notInclude(output, secret)
        }
      }
    }).pipe(Effect.scoped))
})
