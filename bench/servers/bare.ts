/**
 * The emulator's create endpoint written directly on `node:http`, as the baseline of the
 * emulator's own throughput: the same gateway checks (token, API key, org, sandbox), the same
 * body checks, the same batch object kept in memory, stringified, 201 with an `x-request-id`.
 * What it leaves out is what the emulator adds: @effect/platform's router and request/response
 * model, Effect fibers, and the other endpoints.
 */
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { serverReady } from "../lib/child.js"
import { accessToken, apiKey, datasetId, orgId } from "../lib/fixtures.js"

const tokens = new Map([[accessToken, { orgId, clientId: apiKey }]])
const clients = new Set([apiKey])
const datasets = new Set([datasetId])
const batches = new Map<string, unknown>()
const formats = new Set(["json", "parquet", "csv"])
const counters = new Map<string, number>()

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const answer = (response: import("node:http").ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body)
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "x-request-id": crypto.randomUUID()
  })
  response.end(text)
}

const server = createServer((request, response) => {
  const chunks: Array<Buffer> = []
  request.on("data", (chunk: Buffer) => chunks.push(chunk))
  request.on("end", () => {
    counters.set("batches.create", (counters.get("batches.create") ?? 0) + 1)
    if (request.method !== "POST" || request.url !== "/data/foundation/import/batches") return answer(response, 404, {})
    const token = request.headers.authorization?.trim().match(/^Bearer\s+(\S+)$/i)?.[1]
    if (token === undefined) return answer(response, 403, { error_code: "403010" })
    const key = request.headers["x-api-key"]
    if (typeof key !== "string" || key === "") return answer(response, 403, { error_code: "403000" })
    const grant = tokens.get(token)
    if (grant === undefined) return answer(response, 401, { error_code: "401013" })
    if (!clients.has(key)) return answer(response, 403, { error_code: "403003" })
    const org = request.headers["x-gw-ims-org-id"]
    if (org !== grant.orgId) return answer(response, 403, { error_code: "403025" })
    const sandbox = request.headers["x-sandbox-name"] || "prod"
    if (sandbox !== "prod") return answer(response, 404, {})
    if (!/^application\/json\b/i.test(request.headers["content-type"] ?? "")) return answer(response, 400, {})
    let body: unknown
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"))
    } catch {
      return answer(response, 400, { title: "The request body is not valid JSON" })
    }
    if (!isRecord(body) || typeof body.datasetId !== "string" || !datasets.has(body.datasetId)) {
      return answer(response, 400, {})
    }
    const inputFormat: Record<string, unknown> = { format: "parquet" }
    if (body.inputFormat !== undefined) {
      const format = isRecord(body.inputFormat) ? body.inputFormat.format : undefined
      if (typeof format !== "string" || !formats.has(format.toLowerCase())) return answer(response, 400, {})
      Object.assign(inputFormat, body.inputFormat, { format: format.toLowerCase() })
    }
    if (body.externalId !== undefined && (typeof body.externalId !== "string" || body.externalId === "")) {
      return answer(response, 400, {})
    }
    const now = Date.now()
    const id = crypto.randomUUID().replaceAll("-", "")
    const createdUser = `${grant.clientId}@AdobeID`
    const batch = {
      id,
      imsOrg: grant.orgId,
      updated: now,
      status: "loading",
      created: now,
      relatedObjects: [{ type: "dataSet", id: body.datasetId }],
      version: "1.0.0",
      tags: {
        acp_producer: [grant.clientId],
        acp_stagePath: [`${grant.clientId}/stage/${id}`],
        use_plan_b_batch_status: ["false"]
      },
      createdUser,
      updatedUser: createdUser,
      externalId: typeof body.externalId === "string" ? body.externalId : id,
      createdClient: grant.clientId,
      updatedClient: grant.clientId,
      inputFormat
    }
    batches.set(id, batch)
    answer(response, 201, batch)
  })
})
server.keepAliveTimeout = 60_000
server.listen(0, "127.0.0.1", () => serverReady(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))
