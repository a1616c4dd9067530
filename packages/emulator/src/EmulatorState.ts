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
  readonly tokenLifetimeSeconds: number
  readonly clients = new Map<string, Client>()
  readonly tokens = new Map<string, TokenGrant>()
  /** Requests per operation (`ims.token`, `batches.create`, …), for tests to assert on. */
  readonly counters = new Map<string, number>()
  readonly datasets = new Map<string, DatasetRecord>()
  readonly batches = new Map<string, BatchRecord>()

  constructor(options: Options, now: number) {
    this.orgId = options.orgId ?? Demo.orgId
    this.apiKey = options.apiKey ?? Demo.apiKey
    this.clientSecret = options.clientSecret ?? Demo.clientSecret
    this.sandboxes = new Set(options.sandboxes ?? [Demo.sandboxName])
    this.tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 86399
    for (const client of [{ clientId: this.apiKey, clientSecret: this.clientSecret, orgId: this.orgId }, ...options.clients ?? []]) {
      this.clients.set(client.clientId, client)
    }
    this.tokens.set(options.accessToken ?? Demo.accessToken, { orgId: this.orgId, clientId: this.apiKey })
    const firstSandbox = [...this.sandboxes][0] ?? Demo.sandboxName
    for (const id of options.datasets ?? [Demo.datasetId]) this.addDataset(firstSandbox, id, now)
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
