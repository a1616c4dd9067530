import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, TestClock } from "effect"
import * as Demo from "../src/Demo.js"
import * as Emulator from "../src/Emulator.js"
import * as Schemas from "../src/Schemas.js"
import { call, catalogPath, counters, createBatch, expectGateway, expectJson, headers, reset } from "./support.js"

const form = { "content-type": "application/x-www-form-urlencoded" }

const requestToken = (fields: Record<string, string>, query = "", contentType: Record<string, string> = form) =>
  call(`/ims/token/v3${query}`, { method: "POST", headers: contentType, body: new URLSearchParams(fields).toString() })

const demoCredentials = {
  grant_type: "client_credentials",
  client_id: Demo.apiKey,
  client_secret: Demo.clientSecret,
  scope: "openid,AdobeID,read_organizations,additional_info.projectedProductContext,session"
}

const issue = (fields: Record<string, string> = demoCredentials) =>
  Effect.map(requestToken(fields), (answer) => expectJson(answer, 200, Schemas.ImsToken))

/** A Catalog call with `token` and otherwise the demo headers. */
const listWith = (token: string, extra: Record<string, string> = {}) =>
  call(`${catalogPath}/batches`, { headers: { ...headers, authorization: `Bearer ${token}`, ...extra } })

const expectImsError = (answer: Parameters<typeof expectJson>[0], status: number, error: string) =>
  assert.strictEqual(expectJson(answer, status, Schemas.ImsError).error, error)

const partner = { clientId: "partner-client", clientSecret: "partner-secret", orgId: "PARTNER00000000000000000@AdobeOrg" }

describe("Ims", () => {
  it.layer(Emulator.layer({ tokenLifetimeSeconds: 3600, clients: [partner] }))((it) => {
    it.effect("issues bearer tokens for a form body, with expires_in from tokenLifetimeSeconds, and counts them", () =>
      Effect.gen(function*() {
        yield* reset
        const first = yield* issue()
        assert.strictEqual(first.token_type, "bearer")
        assert.strictEqual(first.expires_in, 3600)
        const second = yield* issue()
        assert.notStrictEqual(second.access_token, first.access_token)
        const counted = yield* counters
        assert.strictEqual(counted.tokensIssued, 2)
        assert.strictEqual(counted.counters["ims.token"], 2)
      }))

    it.effect("the platform accepts an issued token until it expires by the clock, then answers 401013", () =>
      Effect.gen(function*() {
        const { access_token, expires_in } = yield* issue()
        assert.strictEqual((yield* listWith(access_token)).status, 200)
        assert.strictEqual((yield* createBatch({}, { ...headers, authorization: `Bearer ${access_token}` })).status, "loading")
        yield* TestClock.adjust(Duration.millis(expires_in * 1000 - 1))
        assert.strictEqual((yield* listWith(access_token)).status, 200)
        yield* TestClock.adjust(Duration.millis(1))
        expectGateway(yield* listWith(access_token), 401, "401013")
        // A new token works again; the static demo token never expires.
        assert.strictEqual((yield* listWith((yield* issue()).access_token)).status, 200)
        yield* TestClock.adjust(Duration.days(400))
        assert.strictEqual((yield* listWith(Demo.accessToken)).status, 200)
      }))

    it.effect("refuses unknown clients and wrong secrets with invalid_client, and issues nothing", () =>
      Effect.gen(function*() {
        yield* reset
        expectImsError(yield* requestToken({ ...demoCredentials, client_id: "nobody" }), 400, "invalid_client")
        expectImsError(yield* requestToken({ ...demoCredentials, client_secret: "wrong" }), 401, "invalid_client")
        // A known client with another client's secret is no better.
        expectImsError(yield* requestToken({ ...demoCredentials, client_id: partner.clientId }), 401, "invalid_client")
        const counted = yield* counters
        assert.strictEqual(counted.tokensIssued, 0)
        assert.strictEqual(counted.counters["ims.token"], 3)
      }))

    it.effect("refuses other grants, missing fields, other content types and a secret in the query", () =>
      Effect.gen(function*() {
        yield* reset
        expectImsError(yield* requestToken({ ...demoCredentials, grant_type: "password" }), 400, "unsupported_grant_type")
        const { grant_type: _, ...noGrant } = demoCredentials
        expectImsError(yield* requestToken(noGrant), 400, "unsupported_grant_type")
        const { client_id: _id, ...noId } = demoCredentials
        expectImsError(yield* requestToken(noId), 400, "invalid_request")
        const { client_secret: _secret, ...noSecret } = demoCredentials
        expectImsError(yield* requestToken(noSecret), 400, "invalid_request")
        expectImsError(
          yield* call("/ims/token/v3", {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(demoCredentials)
          }),
          400,
          "invalid_request"
        )
        // In the query the secret is refused even when the body is complete: logs and proxies keep query strings.
        const query = `?client_secret=${Demo.clientSecret}`
        expectImsError(yield* requestToken(demoCredentials, query), 400, "invalid_request")
        expectImsError(yield* requestToken(noSecret, query), 400, "invalid_request")
        assert.strictEqual((yield* counters).tokensIssued, 0)
      }))

    it.effect("a further configured client gets tokens for its own org, and uses its client id as API key", () =>
      Effect.gen(function*() {
        const { access_token } = yield* issue({ ...demoCredentials, client_id: partner.clientId, client_secret: partner.clientSecret })
        const own = { "x-gw-ims-org-id": partner.orgId, "x-api-key": partner.clientId }
        assert.strictEqual((yield* listWith(access_token, own)).status, 200, "own org and API key")
        expectGateway(yield* listWith(access_token, { "x-api-key": partner.clientId }), 403, "403025")
        expectGateway(yield* listWith(access_token, { ...own, "x-api-key": "unknown-client" }), 403, "403003")
        const batch = yield* createBatch({}, { ...headers, ...own, authorization: `Bearer ${access_token}` })
        assert.strictEqual(batch.imsOrg, partner.orgId)
        assert.deepStrictEqual(batch.tags.acp_producer, [partner.clientId])
        assert.strictEqual(batch.createdClient, partner.clientId)
      }))

    it.effect("revoking through the control API refuses issued tokens with 401013 and keeps the demo token", () =>
      Effect.gen(function*() {
        yield* reset
        const tokens = [(yield* issue()).access_token, (yield* issue()).access_token]
        const revoked = expectJson(yield* call("/__emulator/tokens/revoke", { method: "POST" }), 200, Schemas.Revoked)
        assert.strictEqual(revoked.revoked, 2)
        for (const token of tokens) expectGateway(yield* listWith(token), 401, "401013")
        assert.strictEqual((yield* listWith(Demo.accessToken)).status, 200)
        assert.strictEqual(expectJson(yield* call("/__emulator/tokens/revoke", { method: "POST" }), 200, Schemas.Revoked).revoked, 0)
      }))
  })

  it.layer(Emulator.layer())((it) => {
    it.effect("tokens live 86399 seconds unless configured otherwise, as Adobe's do", () =>
      Effect.gen(function*() {
        const token = yield* issue()
        assert.strictEqual(token.expires_in, 86399)
        yield* TestClock.adjust(Duration.hours(23))
        assert.strictEqual((yield* listWith(token.access_token)).status, 200)
        yield* TestClock.adjust(Duration.hours(1))
        expectGateway(yield* listWith(token.access_token), 401, "401013")
      }))
  })
})
