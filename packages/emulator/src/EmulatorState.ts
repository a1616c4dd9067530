/**
 * What the emulator knows: credentials it accepts, sandboxes, datasets and batches, in memory.
 * Batches are kept as the JSON objects AEP would answer with, so the HTTP layer serves them as
 * they are.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Demo from "./Demo.js"

/**
 * A batch as the Catalog stores and serves it.
 *
 * @since 0.1.0
 * @category models
 */
export interface BatchRecord {
  id: string
  imsOrg: string
  status: string
  created: number
  updated: number
  createdUser: string
  updatedUser: string
  createdClient: string
  updatedClient: string
  externalId: string
  version: string
  relatedObjects: Array<{ type: string; id: string }>
  tags: Record<string, unknown>
  inputFormat: Record<string, unknown>
  enableErrorDiagnostics?: boolean
  partialIngestionPercentage?: number
  replay?: { predecessors: Array<string>; reason: string; predecessorsByExternalId?: Array<string> }
}

/**
 * A dataset batches can be created in.
 *
 * @since 0.1.0
 * @category models
 */
export interface DatasetRecord {
  readonly id: string
  readonly name: string
  readonly sandboxName: string
  readonly created: number
}

/**
 * A token the emulator accepts, and whose it is.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenGrant {
  readonly orgId: string
  readonly clientId: string
  /** Epoch milliseconds after which the token is refused; absent for the static demo token. */
  readonly expiresAt?: number
}

/**
 * How to seed the emulator. Every field defaults to the demo values in `Demo`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly orgId?: string | undefined
  readonly apiKey?: string | undefined
  readonly clientSecret?: string | undefined
  readonly accessToken?: string | undefined
  readonly sandboxes?: ReadonlyArray<string> | undefined
  /** Datasets that exist from the start, in the first sandbox. */
  readonly datasets?: ReadonlyArray<string> | undefined
}

/**
 * The emulator's memory. Methods are synchronous: JavaScript runs one handler step at a time, so
 * each change is atomic.
 *
 * @since 0.1.0
 * @category models
 */
export class EmulatorState {
  readonly orgId: string
  readonly apiKey: string
  readonly clientSecret: string
  readonly sandboxes: Set<string>
  readonly tokens = new Map<string, TokenGrant>()
  readonly datasets = new Map<string, DatasetRecord>()
  readonly batches = new Map<string, BatchRecord>()

  constructor(options: Options, now: number) {
    this.orgId = options.orgId ?? Demo.orgId
    this.apiKey = options.apiKey ?? Demo.apiKey
    this.clientSecret = options.clientSecret ?? Demo.clientSecret
    this.sandboxes = new Set(options.sandboxes ?? [Demo.sandboxName])
    this.tokens.set(options.accessToken ?? Demo.accessToken, { orgId: this.orgId, clientId: this.apiKey })
    const firstSandbox = [...this.sandboxes][0] ?? Demo.sandboxName
    for (const id of options.datasets ?? [Demo.datasetId]) this.addDataset(firstSandbox, id, now)
  }

  /** Adds a dataset (tests create the datasets they ingest into). */
  addDataset(sandboxName: string, id: string, now: number, name = `Dataset ${id}`): DatasetRecord {
    this.sandboxes.add(sandboxName)
    const dataset: DatasetRecord = { id, name, sandboxName, created: now }
    this.datasets.set(key(sandboxName, id), dataset)
    return dataset
  }

  dataset(sandboxName: string, id: string): DatasetRecord | undefined {
    return this.datasets.get(key(sandboxName, id))
  }

  addBatch(sandboxName: string, batch: BatchRecord): void {
    this.batches.set(key(sandboxName, batch.id), batch)
  }

  batch(sandboxName: string, id: string): BatchRecord | undefined {
    return this.batches.get(key(sandboxName, id))
  }

  /** Batches of one sandbox, oldest first. */
  batchesIn(sandboxName: string): Array<BatchRecord> {
    const prefix = `${sandboxName}/`
    return [...this.batches.entries()].filter(([k]) => k.startsWith(prefix)).map(([, batch]) => batch)
  }
}

const key = (sandboxName: string, id: string): string => `${sandboxName}/${id}`

/**
 * A fresh state seeded from `options`, stamped with Effect's `Clock`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<EmulatorState> =>
  Effect.map(Clock.currentTimeMillis, (now) => new EmulatorState(options, now))

/**
 * A new batch id: 32 lower-case hex digits, as AEP's create answers show.
 *
 * @since 0.1.0
 * @category constructors
 */
export const newBatchId = (): string => crypto.randomUUID().replaceAll("-", "")
