/**
 * A Cloudflare Worker (the same module runs on Vercel Edge and Deno) that creates a batch.
 *
 *   POST /batches  { "datasetId": "…", "inputFormat": { "format": "json" } }
 *
 * answers 201 with the batch, 400 when the request is invalid (nothing was sent to AEP), 502 when
 * AEP refused or could not be reached. Configure it with the bindings `AEP_ORG_ID`,
 * `AEP_API_KEY`, `AEP_ACCESS_TOKEN` and optionally `AEP_SANDBOX_NAME`, `AEP_PLATFORM_URL`.
 *
 * The layer is built inside `fetch`: Workers forbid I/O at module top level.
 */
import { AepConfig, type AepError, Batches } from "@effect-aep/core"
import { AepEdge } from "@effect-aep/edge"
import { ConfigError, DateTime, Effect } from "effect"

const json = (body: unknown, status: number): Response =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } })

const createBatch = (request: Request) =>
  Effect.tryPromise({ try: () => request.json(), catch: () => "the body must be JSON" }).pipe(
    Effect.flatMap((body) => Batches.create(body as Batches.CreateInput)),
    Effect.map((batch) =>
      json({
        id: batch.id,
        status: batch.status,
        datasetId: batch.datasetId ?? null,
        created: batch.created === undefined ? null : DateTime.formatIso(batch.created)
      }, 201)
    )
  )

// Every failure becomes an answer; the typed errors serialise without any token or key.
const answerFailure = (error: string | ConfigError.ConfigError | AepError.AepError): Response => {
  if (typeof error === "string") return json({ error }, 400)
  if (ConfigError.isConfigError(error)) {
    return json({ error: "misconfigured", detail: AepConfig.describeError(error) }, 500)
  }
  return json(error, error._tag === "AepValidationError" ? 400 : 502)
}

export default {
  async fetch(request: Request, env: Record<string, unknown>): Promise<Response> {
    const url = new URL(request.url)
    if (request.method !== "POST" || url.pathname !== "/batches") {
      return json({ error: "POST /batches with a JSON body" }, 404)
    }
    return createBatch(request).pipe(
      Effect.provide(AepEdge.layerFromEnv(env)),
      Effect.catchAll((error) => Effect.succeed(answerFailure(error))),
      Effect.runPromise
    )
  }
}
