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
import { Faults } from "./Faults.js"
import type * as Processing from "./Processing.js"

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
  started?: number
  completed?: number
  recordCount?: number
  failedRecordCount?: number
  size?: number
  errors?: Array<{ code: string; description: string; recordCount?: number; rows?: Array<unknown> }>
  metrics?: Record<string, number>
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
 * An OAuth Server-to-Server credential the emulator's IMS accepts.
 *
 * @since 0.1.0
 * @category models
 */
export interface Client {
  readonly clientId: string
  readonly clientSecret: string
  /** The organization its tokens are for. */
  readonly orgId: string
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
  /** Further credentials IMS accepts (the demo credential is always there). */
  readonly clients?: ReadonlyArray<Client> | undefined
  /** How long tokens issued by IMS live, in seconds (Adobe: 86399, about a day). */
  readonly tokenLifetimeSeconds?: number | undefined
  /** How long a completed batch takes to reach its final status, by Effect's Clock (default 1000 ms). */
  readonly processingDelayMillis?: number | undefined
  readonly limits?: Partial<Limits> | undefined
  /**
   * Keep uploaded bytes (default true), so that failed files can be downloaded from Data Access.
   * Without them the emulator validates and counts bytes as they arrive and then drops them: memory
   * stays flat whatever the upload size.
   */
  readonly retainFiles?: boolean | undefined
}

/**
 * The documented limits, each adjustable so tests can reach them cheaply.
 *
 * @since 0.1.0
 * @category models
 */
export interface Limits {
  /** Files per batch (Adobe: 1500). */
  readonly filesPerBatch: number
  /** Largest body a single `PUT` may carry (Adobe: 256 MB); larger files use the large-file protocol. */
  readonly smallFileBytes: number
  /** Bytes per batch (Adobe: 100 GB). */
  readonly batchBytes: number
  /** Longest request URL (Adobe: 2000 characters; longer answers 414). */
  readonly urlLength: number
  /** Batches one client may create per minute (Adobe's guardrail: 138); absent: no limit. */
  readonly batchesPerMinute: number | undefined
}

/**
 * @since 0.1.0
 * @category constants
 */
export const defaultLimits: Limits = {
  filesPerBatch: 1500,
  smallFileBytes: 256 * 1024 * 1024,
  batchBytes: 100 * 1024 * 1024 * 1024,
  urlLength: 2000,
  batchesPerMinute: undefined
}

/**
 * A file of a batch, as it arrives. Bytes are validated in file order as soon as they are
 * contiguous; chunks that arrive ahead of a gap wait in `pending`.
 *
 * @since 0.1.0
 * @category models
 */
export interface FileEntry {
  readonly name: string
  /** Uploaded with INITIALIZE / PATCH / COMPLETE rather than one PUT. */
  readonly large: boolean
  /** Received byte ranges, inclusive, in arrival order. */
  readonly ranges: Array<readonly [number, number]>
  /** Chunks received beyond the contiguous prefix, by start offset. */
  readonly pending: Map<number, Uint8Array>
  /** Bytes fed to the processor so far (the contiguous prefix). */
  fed: number
  /** A chunk overlapped bytes already received: COMPLETE will refuse the file. */
  overlap: boolean
  /** The upload of this file is finished (PUT done, or large-file COMPLETE accepted). */
  complete: boolean
  readonly processor: Processing.FileProcessor
  result: Processing.FileResult | undefined
  /** The bytes, when the emulator keeps them. */
  readonly retained: Array<Uint8Array> | undefined
}

/**
 * A batch and everything the emulator tracks about it beyond its public record.
 *
 * @since 0.1.0
 * @category models
 */
export interface BatchEntry {
  readonly record: BatchRecord
  readonly sandboxName: string
  readonly datasetId: string
  readonly files: Map<string, FileEntry>
  /** When COMPLETE was accepted: processing runs from here for `processingDelayMillis`. */
  completeAt: number | undefined
  /** When REVERT was accepted: the batch goes `inactive`, then `deleted`. */
  revertAt: number | undefined
  /** Row-error lines of every file, once processed. */
  rowErrors: Array<Processing.RowError>
  /** Names of the files that failed (or held failed rows), once processed. */
  failedFiles: Array<string>
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
  readonly sandboxes = new Set<string>()
  readonly tokenLifetimeSeconds: number
  readonly clients = new Map<string, Client>()
  readonly tokens = new Map<string, TokenGrant>()
  /** Requests per operation (`ims.token`, `batches.create`, …), for tests to assert on. */
  readonly counters = new Map<string, number>()
  readonly datasets = new Map<string, DatasetRecord>()
  readonly processingDelayMillis: number
  readonly limits: Limits
  readonly retainFiles: boolean
  readonly batches = new Map<string, BatchEntry>()
  /** Misbehaviour to inject (see `Faults`). */
  readonly faults = new Faults()
  /** Creation times per client, for the per-minute guardrail. */
  readonly recentCreates = new Map<string, Array<number>>()

  constructor(readonly options: Options, now: number) {
    this.orgId = options.orgId ?? Demo.orgId
    this.apiKey = options.apiKey ?? Demo.apiKey
    this.clientSecret = options.clientSecret ?? Demo.clientSecret
    this.tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 86399
    this.processingDelayMillis = options.processingDelayMillis ?? 1000
    this.limits = { ...defaultLimits, ...options.limits }
    this.retainFiles = options.retainFiles ?? true
    this.reset(now)
  }

  /** Forgets everything (batches, issued tokens, added datasets, counters) and seeds anew. */
  reset(now: number): void {
    for (const map of [this.clients, this.tokens, this.counters, this.datasets, this.batches, this.recentCreates]) map.clear()
    this.sandboxes.clear()
    this.faults.clear()
    for (const sandbox of this.options.sandboxes ?? [Demo.sandboxName]) this.sandboxes.add(sandbox)
    for (
      const client of [{ clientId: this.apiKey, clientSecret: this.clientSecret, orgId: this.orgId }, ...this.options.clients ?? []]
    ) {
      this.clients.set(client.clientId, client)
    }
    this.tokens.set(this.options.accessToken ?? Demo.accessToken, { orgId: this.orgId, clientId: this.apiKey })
    const firstSandbox = [...this.sandboxes][0] ?? Demo.sandboxName
    for (const id of this.options.datasets ?? [Demo.datasetId]) this.addDataset(firstSandbox, id, now)
  }

  /** Counts one request of `operation`. */
  count(operation: string): void {
    this.counters.set(operation, (this.counters.get(operation) ?? 0) + 1)
  }

  /** How many requests of `operation` were made. */
  counter(operation: string): number {
    return this.counters.get(operation) ?? 0
  }

  /** Issues a token for `client`, valid from `now` for the configured lifetime. */
  issueToken(client: Client, now: number): { readonly token: string; readonly expiresIn: number } {
    this.count("ims.tokensIssued")
    const token = `emulator-ims-${crypto.randomUUID()}`
    this.tokens.set(token, {
      orgId: client.orgId,
      clientId: client.clientId,
      expiresAt: now + this.tokenLifetimeSeconds * 1000
    })
    return { token, expiresIn: this.tokenLifetimeSeconds }
  }

  /** Forgets every token IMS issued (the demo token stays): the next platform call gets 401013. */
  revokeIssuedTokens(): number {
    let revoked = 0
    for (const [token, grant] of this.tokens) {
      if (grant.expiresAt !== undefined) {
        this.tokens.delete(token)
        revoked++
      }
    }
    return revoked
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

  addBatch(sandboxName: string, record: BatchRecord, datasetId: string): BatchEntry {
    const entry: BatchEntry = {
      record,
      sandboxName,
      datasetId,
      files: new Map(),
      completeAt: undefined,
      revertAt: undefined,
      rowErrors: [],
      failedFiles: []
    }
    this.batches.set(key(sandboxName, record.id), entry)
    return entry
  }

  /** A batch's public record (as last advanced; the HTTP layer advances it on every read). */
  batch(sandboxName: string, id: string): BatchRecord | undefined {
    return this.batches.get(key(sandboxName, id))?.record
  }

  entry(sandboxName: string, id: string): BatchEntry | undefined {
    return this.batches.get(key(sandboxName, id))
  }

  /** Batches of one sandbox, in creation order. */
  entriesIn(sandboxName: string): Array<BatchEntry> {
    return [...this.batches.values()].filter((entry) => entry.sandboxName === sandboxName)
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
 * A new dataset id: 24 lower-case hex digits, as Catalog's ids look.
 *
 * @since 0.1.0
 * @category constructors
 */
export const newDatasetId = (): string => crypto.randomUUID().replaceAll("-", "").slice(0, 24)

/**
 * A new batch id: 32 lower-case hex digits, as AEP's create answers show.
 *
 * @since 0.1.0
 * @category constructors
 */
export const newBatchId = (): string => crypto.randomUUID().replaceAll("-", "")
