/**
 * The minimal loopback server of the per-call benchmark: reads the request body and answers the
 * same canned 201 every time, so that what is measured is the client, not the server.
 */
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { serverReady } from "../lib/child.js"
import { seedBatch } from "../lib/fixtures.js"

const body = Buffer.from(seedBatch)
const headers = {
  "content-type": "application/json",
  "content-length": String(body.length),
  "x-request-id": "35116f9b-61a9-49b8-b5b9-a9c078f24ebc"
}

const server = createServer((request, response) => {
  request.resume()
  request.on("end", () => {
    response.writeHead(201, headers)
    response.end(body)
  })
})
server.keepAliveTimeout = 60_000
server.listen(0, "127.0.0.1", () => serverReady(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))
