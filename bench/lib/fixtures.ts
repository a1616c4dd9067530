/**
 * What every create benchmark sends and what the canned server answers: the demo credentials of
 * the emulator, the request, and the emulator's own answer to it (captured once, ids fixed).
 */

export const orgId = "EMULATOR0000000000000000@AdobeOrg"
export const apiKey = "emulator-client"
export const clientSecret = "emulator-secret"
export const accessToken = "emulator-token"
export const datasetId = "5c8c3c555033b814b69f947f"

export const createInput = { datasetId, inputFormat: { format: "json" as const } }

/** The emulator's 201 answer to a create, as the canned server sends it. */
export const seedBatch = JSON.stringify({
  id: "1f73c7325cda43139ccdc7537e3eeb45",
  imsOrg: orgId,
  updated: 1796417402793,
  status: "loading",
  created: 1796417402793,
  relatedObjects: [{ type: "dataSet", id: datasetId }],
  version: "1.0.0",
  tags: {
    acp_producer: [apiKey],
    acp_stagePath: [`${apiKey}/stage/1f73c7325cda43139ccdc7537e3eeb45`],
    use_plan_b_batch_status: ["false"]
  },
  createdUser: `${apiKey}@AdobeID`,
  updatedUser: `${apiKey}@AdobeID`,
  externalId: "effect-aep-bace4474-9889-4902-9de2-8e4caa91a88c",
  createdClient: apiKey,
  updatedClient: apiKey,
  inputFormat: { format: "json" }
})

/**
 * The headers `Batches.create` sends through the Node adapter, so that the raw baselines send
 * the same bytes. The trace headers are the adapter's propagation of the operation's span; the
 * baselines send values of the same length.
 */
export const rawHeaders = (token: string): Record<string, string> => ({
  "content-type": "application/json",
  accept: "application/json",
  "x-api-key": apiKey,
  "x-gw-ims-org-id": orgId,
  "x-sandbox-name": "prod",
  "user-agent": "effect-aep/0.1.0",
  authorization: `Bearer ${token}`,
  b3: "a7a7479c80ffbb831dabc0dbe5c48ea2-b9617151a938313f-1-c2a47a9d4727a7cb",
  traceparent: "00-a7a7479c80ffbb831dabc0dbe5c48ea2-b9617151a938313f-01"
})

/** The body `Batches.create` sends: the request plus a fresh externalId (what makes it safe to retry). */
export const rawBody = (): string =>
  JSON.stringify({ datasetId, inputFormat: { format: "json" }, externalId: `effect-aep-${crypto.randomUUID()}` })
