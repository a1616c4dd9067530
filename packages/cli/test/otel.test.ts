import { assert, describe, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import { existsSync } from "node:fs"
import { createServer } from "node:http"
import { fileURLToPath } from "node:url"
import { baseEnv } from "./support.js"

const root = fileURLToPath(new URL("../../../", import.meta.url))
const example = fileURLToPath(new URL("../../../examples/otel.ts", import.meta.url))

interface OtlpSpan {
  readonly name: string
  readonly attributes: ReadonlyArray<{ readonly key: string; readonly value: Record<string, unknown> }>
}

/** A stand-in OTLP/HTTP collector on loopback: keeps the spans posted to /v1/traces. */
const collector = () =>
  new Promise<{ url: string; spans: Array<OtlpSpan>; bodies: Array<string>; close: () => void }>((resolve) => {
    const spans: Array<OtlpSpan> = []
    const bodies: Array<string> = []
    const server = createServer((request, response) => {
      let body = ""
      request.on("data", (chunk) => (body += chunk))
      request.on("end", () => {
        bodies.push(body)
        if (request.url === "/v1/traces") {
          for (const resource of JSON.parse(body).resourceSpans ?? []) {
            for (const scope of resource.scopeSpans ?? []) spans.push(...(scope.spans ?? []))
          }
        }
        response.writeHead(200, { "content-type": "application/json" })
        response.end("{}")
      })
    })
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      resolve({ url: `http://127.0.0.1:${port}`, spans, bodies, close: () => server.close() })
    })
  })

const attribute = (span: OtlpSpan, key: string) => {
  const value = span.attributes.find((entry) => entry.key === key)?.value
  return value === undefined ? undefined : Object.values(value)[0]
}

describe("examples/otel.ts", () => {
  it.skipIf(!existsSync(example))("sends the library's spans, with aep.* attributes and no secret, to an OTLP collector", async () => {
    const otlp = await collector()
    try {
      const output = await new Promise<string>((resolve, reject) =>
        execFile(
          process.execPath,
          ["--import", "tsx", example],
          { cwd: root, env: { ...baseEnv(), OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url }, encoding: "utf8", timeout: 60_000 },
          (error, stdout, stderr) => (error === null ? resolve(stdout) : reject(new Error(`${error.message}\n${stdout}\n${stderr}`)))
        )
      )
      const batchId = output.match(/^batch ([0-9a-f]{32}): success/m)?.[1]
      assert.isDefined(batchId, output)
      const named = (name: string) => otlp.spans.find((span) => span.name === name)
      for (const name of ["nightly-ingest", "Ingest.run", "Batches.create", "Files.upload", "Batches.complete", "Batches.awaitCompletion"]) {
        assert.isDefined(named(name), `no ${name} among ${otlp.spans.map((span) => span.name).join(", ")}`)
      }
      assert.strictEqual(attribute(named("Ingest.run")!, "aep.batch_id"), batchId)
      assert.strictEqual(attribute(named("Files.upload")!, "aep.file_path"), "people.json")
      // The emulator's demo credential: sent on every request, in no exported byte.
      for (const body of otlp.bodies) {
        for (const secret of ["emulator-token", "emulator-client", "EMULATOR0000000000000000@AdobeOrg"]) {
          assert.notInclude(body, secret)
        }
      }
    } finally {
      otlp.close()
    }
  })
})
