/**
 * One upload, in a process of its own so that its memory is measured alone: a file on disk sent
 * through the large-file protocol (INITIALIZE, `PATCH` chunks, COMPLETE) to an emulator in
 * another process that validates and drops the bytes.
 *
 * - `aep`: `FileSource.fromPath` + `Files.upload` through `AepNode.layer`.
 * - `raw`: for each chunk, `fs.createReadStream` of its byte range piped into an `http.request`
 *   PATCH on a keep-alive agent; the same INITIALIZE and COMPLETE around them.
 *
 * Peak RSS growth is the kernel's high-water mark at the end (`maxRSS`) minus the RSS just before
 * the upload started (after the batch was created, so the HTTP client is loaded and connected).
 * Both modes load the same modules, so that they start from the same RSS.
 */
import { Batches, Files } from "@effect-aep/core"
import { AepNode, FileSource } from "@effect-aep/node"
import { Effect, ManagedRuntime } from "effect"
import { createReadStream, statSync } from "node:fs"
import { Agent, request } from "node:http"
import { basename } from "node:path"
import { clientMain } from "../lib/child.js"
import { accessToken, apiKey, createInput, datasetId, orgId, rawBody, rawHeaders } from "../lib/fixtures.js"

export interface Input {
  readonly mode: "aep" | "raw"
  readonly url: string
  readonly file: string
  readonly chunkSize: number
}

export interface Output {
  readonly bytes: number
  readonly seconds: number
  readonly rssBeforeMb: number
  readonly peakGrowthMb: number
  /** The client's CPU time (user + system) during the upload. */
  readonly cpuSeconds: number
}

const MiB = 1024 * 1024

const gatewayHeaders = {
  authorization: `Bearer ${accessToken}`,
  "x-api-key": apiKey,
  "x-gw-ims-org-id": orgId,
  "x-sandbox-name": "prod"
}

const uploadAep = async (input: Input): Promise<() => Promise<void>> => {
  const runtime = ManagedRuntime.make(AepNode.layer({ platformUrl: input.url, orgId, apiKey, accessToken }))
  const batch = await runtime.runPromise(Batches.create(createInput))
  return async () => {
    const uploaded = await runtime.runPromise(
      Effect.flatMap(FileSource.fromPath(input.file), (source) =>
        Files.upload(batch.id, datasetId, source, { largeFileThreshold: 16 * MiB, chunkSize: input.chunkSize }))
    )
    if (uploaded.method !== "chunked") throw new Error(`expected the large-file path, got ${uploaded.method}`)
    await runtime.dispose()
  }
}

const uploadRaw = async (input: Input): Promise<() => Promise<void>> => {
  const created = await fetch(`${input.url}/data/foundation/import/batches`, {
    method: "POST",
    headers: rawHeaders(accessToken),
    body: rawBody()
  })
  const { id } = (await created.json()) as { id: string }
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  const target = new URL(`${input.url}/data/foundation/import/batches/${id}/datasets/${datasetId}/files/${basename(input.file)}`)
  // One request; the body is piped from `body` when given. Resolves once the answer is read.
  const send = (method: string, query: string, headers: Record<string, string>, body?: NodeJS.ReadableStream) =>
    new Promise<void>((resolve, reject) => {
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          path: `${target.pathname}${query}`,
          method,
          agent,
          headers: { ...gatewayHeaders, ...headers }
        },
        (response) => {
          response.resume()
          response.on("end", () =>
            response.statusCode !== undefined && response.statusCode < 300
              ? resolve()
              : reject(new Error(`${method}${query}: ${response.statusCode}`)))
        }
      )
      req.on("error", reject)
      if (body === undefined) req.end()
      else body.pipe(req)
    })
  const size = statSync(input.file).size
  return async () => {
    await send("POST", "?action=INITIALIZE", { "content-length": "0" })
    for (let start = 0; start < size; start += input.chunkSize) {
      const end = Math.min(start + input.chunkSize, size) - 1
      await send("PATCH", "", {
        "content-type": "application/octet-stream",
        "content-range": `bytes ${start}-${end}`,
        "content-length": String(end - start + 1)
      }, createReadStream(input.file, { start, end }))
    }
    await send("POST", "?action=COMPLETE", { "content-length": "0" })
    agent.destroy()
  }
}

clientMain<Input, Output>(async (input) => {
  const upload = await (input.mode === "aep" ? uploadAep(input) : uploadRaw(input))
  const rssBefore = process.memoryUsage.rss()
  const cpuBefore = process.cpuUsage()
  const started = performance.now()
  await upload()
  const seconds = (performance.now() - started) / 1000
  const cpu = process.cpuUsage(cpuBefore)
  const maxRss = process.resourceUsage().maxRSS * 1024
  return {
    bytes: statSync(input.file).size,
    seconds,
    rssBeforeMb: rssBefore / MiB,
    peakGrowthMb: (maxRss - rssBefore) / MiB,
    cpuSeconds: (cpu.user + cpu.system) / 1e6
  }
})
