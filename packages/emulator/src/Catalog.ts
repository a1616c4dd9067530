/**
 * The Catalog API (`/data/foundation/catalog`): batches keyed by id, listed with paging and
 * filters, the last batch per dataset, and datasets.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as BatchIngestion from "./BatchIngestion.js"
import * as BatchLifecycle from "./BatchLifecycle.js"
import * as EmulatorState from "./EmulatorState.js"
import type { Caller } from "./Gateway.js"
import { type Refusal, serviceError } from "./Refusal.js"

const advanceAll = (state: EmulatorState.EmulatorState, entries: ReadonlyArray<EmulatorState.BatchEntry>) =>
  Effect.map(Clock.currentTimeMillis, (now) => {
    for (const entry of entries) BatchLifecycle.advance(state, entry, now)
    return entries
  })

/**
 * `GET /batches/{id}`: `{ "<id>": batch }`. `?aggregate=true` is accepted; a batch here has no
 * sub-batches, so its own status, metrics and errors are already the roll-up.
 *
 * @since 0.1.0
 * @category handlers
 */
export const getBatch = (
  state: EmulatorState.EmulatorState,
  caller: Caller,
  batchId: string
): Effect.Effect<Record<string, unknown>, Refusal> =>
  Effect.gen(function*() {
    const entry = state.entry(caller.sandboxName, batchId)
    if (entry === undefined) return yield* serviceError(404, `Batch ${batchId} was not found`)
    yield* advanceAll(state, [entry])
    return { [batchId]: BatchIngestion.publicBatch(entry.record) }
  })

const wholeNumber = (raw: string | null, name: string, min: number): number | Refusal | undefined => {
  if (raw === null) return undefined
  if (!/^\d+$/.test(raw) || Number(raw) < min) return serviceError(400, `${name} must be a whole number of at least ${min}`)
  return Number(raw)
}

const sortable = new Set(["created", "updated", "id", "status", "externalId"])

/**
 * `GET /batches`: the batches of the caller's sandbox, keyed by id in the requested order.
 * `limit` (default 20; 0 or not a number → 400; above 100 → 100), `start` (0-based offset),
 * `orderBy` (`[asc:|desc:]created|updated|id|status|externalId`, default `asc:created`), and the
 * filters `dataSet`, `status` (comma-separated), `createdAfter`, `createdBefore` (epoch ms),
 * `externalId`, `tags` (`name` or `name:value`, comma-separated, all must match).
 *
 * @since 0.1.0
 * @category handlers
 */
export const listBatches = (
  state: EmulatorState.EmulatorState,
  caller: Caller,
  query: URLSearchParams
): Effect.Effect<Record<string, unknown>, Refusal> =>
  Effect.gen(function*() {
    const limit = wholeNumber(query.get("limit"), "limit", 1)
    if (limit instanceof Object) return yield* limit
    const start = wholeNumber(query.get("start"), "start", 0)
    if (start instanceof Object) return yield* start
    const after = wholeNumber(query.get("createdAfter"), "createdAfter", 0)
    if (after instanceof Object) return yield* after
    const before = wholeNumber(query.get("createdBefore"), "createdBefore", 0)
    if (before instanceof Object) return yield* before
    const orderBy = query.get("orderBy") ?? "asc:created"
    const [direction, field] = orderBy.includes(":") ? orderBy.split(":", 2) as [string, string] : ["asc", orderBy]
    if ((direction !== "asc" && direction !== "desc") || !sortable.has(field)) {
      return yield* serviceError(400, "orderBy must be [asc:|desc:]created, updated, id, status or externalId")
    }
    const statuses = query.get("status")?.split(",").filter((s) => s !== "")
    const dataSet = query.get("dataSet")
    const externalId = query.get("externalId")
    const tags = query.get("tags")?.split(",").filter((t) => t !== "") ?? []

    const entries = yield* advanceAll(state, state.entriesIn(caller.sandboxName))
    const matching = entries.filter((entry) => {
      const record = entry.record
      if (dataSet !== null && entry.datasetId !== dataSet) return false
      if (statuses !== undefined && !statuses.includes(record.status)) return false
      if (after !== undefined && !(record.created > after)) return false
      if (before !== undefined && !(record.created < before)) return false
      if (externalId !== null && record.externalId !== externalId) return false
      return tags.every((tag) => {
        const separator = tag.lastIndexOf(":")
        const [name, value] = separator > 0 ? [tag.slice(0, separator), tag.slice(separator + 1)] : [tag, undefined]
        const values = record.tags[name]
        if (values === undefined) {
          // `ns:tag` may also name a tag that itself contains a colon.
          return separator > 0 && record.tags[tag] !== undefined
        }
        return value === undefined || (Array.isArray(values) ? values.map(String).includes(value) : String(values) === value)
      })
    })
    const key = (entry: EmulatorState.BatchEntry) => (entry.record as unknown as Record<string, string | number>)[field] ?? ""
    const sign = direction === "asc" ? 1 : -1
    // Creation order breaks ties, so that paging is stable.
    const ordered = matching.map((entry, index) => ({ entry, index })).sort((a, b) => {
      const ka = key(a.entry)
      const kb = key(b.entry)
      return ka < kb ? -sign : ka > kb ? sign : (a.index - b.index) * sign
    })
    const page = ordered.slice(start ?? 0, (start ?? 0) + Math.min(limit ?? 20, 100))
    return Object.fromEntries(page.map(({ entry }) => [entry.record.id, BatchIngestion.publicBatch(entry.record)]))
  })

/**
 * `GET /lastBatches?dataSetId=a,b`: per dataset, its last batch and status, and its last
 * successful and last failed batch.
 *
 * @since 0.1.0
 * @category handlers
 */
export const lastBatches = (
  state: EmulatorState.EmulatorState,
  caller: Caller,
  query: URLSearchParams
): Effect.Effect<Record<string, unknown>> =>
  Effect.gen(function*() {
    const wanted = query.get("dataSetId")?.split(",").filter((id) => id !== "")
    const entries = yield* advanceAll(state, state.entriesIn(caller.sandboxName))
    const answer: Record<string, unknown> = {}
    for (const dataset of state.datasets.values()) {
      if (dataset.sandboxName !== caller.sandboxName) continue
      if (wanted !== undefined && !wanted.includes(dataset.id)) continue
      const batches = entries.filter((entry) => entry.datasetId === dataset.id).map((entry) => entry.record)
      const last = batches[batches.length - 1]
      if (last === undefined) continue
      const lastWith = (statuses: ReadonlyArray<string>) =>
        batches.filter((batch) => statuses.includes(batch.status)).pop()?.id
      answer[dataset.id] = {
        lastBatchId: last.id,
        lastBatchStatus: last.status,
        ...(lastWith(["success", "active"]) === undefined ? {} : { lastSuccessfulBatchId: lastWith(["success", "active"]) }),
        ...(lastWith(["failed", "failure"]) === undefined ? {} : { lastFailedBatchId: lastWith(["failed", "failure"]) }),
        imsOrg: caller.orgId,
        created: last.created,
        updated: last.updated
      }
    }
    return answer
  })

const publicDataset = (dataset: EmulatorState.DatasetRecord, orgId: string) => ({
  name: dataset.name,
  imsOrg: orgId,
  created: dataset.created,
  updated: dataset.created,
  version: "1.0.0"
})

/**
 * `GET /dataSets/{id}`: `{ "<id>": dataset }`.
 *
 * @since 0.1.0
 * @category handlers
 */
export const getDataset = (
  state: EmulatorState.EmulatorState,
  caller: Caller,
  datasetId: string
): Effect.Effect<Record<string, unknown>, Refusal> => {
  const dataset = state.dataset(caller.sandboxName, datasetId)
  return dataset === undefined
    ? Effect.fail(serviceError(404, `Dataset ${datasetId} was not found`))
    : Effect.succeed({ [datasetId]: publicDataset(dataset, caller.orgId) })
}

/**
 * `POST /dataSets` with `{ "name": … }`: creates a dataset, answering as Catalog does with
 * `["@/dataSets/{id}"]`.
 *
 * @since 0.1.0
 * @category handlers
 */
export const createDataset = (
  state: EmulatorState.EmulatorState,
  caller: Caller,
  text: string
): Effect.Effect<EmulatorState.DatasetRecord, Refusal> =>
  Effect.gen(function*() {
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      return yield* serviceError(400, "The request body is not valid JSON")
    }
    const name = typeof body === "object" && body !== null ? (body as { name?: unknown }).name : undefined
    if (typeof name !== "string" || name.trim() === "") return yield* serviceError(400, "name is required")
    const now = yield* Clock.currentTimeMillis
    return state.addDataset(caller.sandboxName, EmulatorState.newDatasetId(), now, name)
  })
