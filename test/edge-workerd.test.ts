/**
 * The edge Worker example, bundled as for deployment and run inside workerd (Cloudflare's
 * runtime, through miniflare), creating batches in an emulator on loopback.
 */
import { Demo, Emulator } from "@effect-aep/emulator"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import { build } from "esbuild"
import { Miniflare } from "miniflare"
import { fileURLToPath } from "node:url"

const workerEntry = fileURLToPath(new URL("../examples/edge-worker.ts", import.meta.url))

/** Bundles the Worker the way a Workers deployment does: ESM, no Node built-ins available. */
const bundleWorker = async (): Promise<string> => {
  const result = await build({
    entryPoints: [workerEntry],
    bundle: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["browser", "module", "main"],
    write: false,
    logLevel: "silent"
  })
  return result.outputFiles[0]!.text
}

describe("edge Worker example in workerd", () => {
  const scope = Effect.runSync(Scope.make())
  let emulator: Emulator.Emulator
  let script: string
  const workers: Array<Miniflare> = []

  const worker = (bindings: Record<string, string>) => {
    const mf = new Miniflare({ modules: true, script, compatibilityDate: "2026-04-01", bindings })
    workers.push(mf)
    return mf
  }
  const demoBindings = () => ({
    AEP_ORG_ID: Demo.orgId,
    AEP_API_KEY: Demo.apiKey,
    AEP_ACCESS_TOKEN: Demo.accessToken,
    AEP_PLATFORM_URL: emulator.url
  })
  const post = (mf: Miniflare, body: string) =>
    mf.dispatchFetch("http://worker.example/batches", { method: "POST", body, headers: { "content-type": "application/json" } })

  beforeAll(async () => {
    emulator = await Effect.runPromise(Scope.extend(Emulator.start(), scope))
    script = await bundleWorker()
  })
  afterAll(async () => {
    await Promise.all(workers.map((mf) => mf.dispose()))
    await Effect.runPromise(Scope.close(scope, Exit.void))
  })

  it("bundles with nothing from node:", () => {
    assert.notMatch(script, /from\s*["']node:/)
    assert.notMatch(script, /require\(["']node:/)
  })

  it("creates a batch in the emulator from inside workerd", async () => {
    const mf = worker(demoBindings())
    const response = await post(mf, JSON.stringify({ datasetId: Demo.datasetId, inputFormat: { format: "json" } }))
    assert.strictEqual(response.status, 201)
    const body = await response.json() as { id: string; status: string; datasetId: string; created: string }
    assert.strictEqual(body.status, "loading")
    assert.strictEqual(body.datasetId, Demo.datasetId)
    assert.match(body.created, /^\d{4}-\d{2}-\d{2}T/)
    const stored = emulator.state.batch("prod", body.id)
    assert.strictEqual(stored?.inputFormat["format"], "json")
  })

  it("answers 400 for invalid input and sends nothing to AEP", async () => {
    const before = emulator.state.batches.size
    const mf = worker(demoBindings())
    const response = await post(mf, JSON.stringify({ datasetId: "../../etc", partialIngestionPercentage: 150 }))
    assert.strictEqual(response.status, 400)
    const body = await response.json() as { _tag: string; field: string }
    assert.strictEqual(body._tag, "AepValidationError")
    assert.strictEqual(body.field, "datasetId")
    assert.strictEqual(emulator.state.batches.size, before)
  })

  it("passes AEP's refusal through as a typed error without the token", async () => {
    const mf = worker({ ...demoBindings(), AEP_ACCESS_TOKEN: "worker-token-not-valid" })
    const response = await post(mf, JSON.stringify({ datasetId: Demo.datasetId }))
    assert.strictEqual(response.status, 502)
    const text = await response.text()
    const body = JSON.parse(text) as { _tag: string; status: number; errorCode: string }
    assert.strictEqual(body._tag, "AepHttpError")
    assert.strictEqual(body.status, 401)
    assert.strictEqual(body.errorCode, "401013")
    assert.notInclude(text, "worker-token-not-valid")
  })

  it("names the missing binding", async () => {
    const { AEP_ACCESS_TOKEN: _, ...bindings } = demoBindings()
    const mf = worker(bindings)
    const response = await post(mf, JSON.stringify({ datasetId: Demo.datasetId }))
    assert.strictEqual(response.status, 500)
    const body = await response.json() as { detail: string }
    assert.strictEqual(body.detail, "AEP_ACCESS_TOKEN is not set: set it to a bearer token, or set AEP_CLIENT_SECRET for OAuth Server-to-Server")
  })
})
