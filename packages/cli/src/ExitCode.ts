/**
 * What `aep` exits with. Scripts branch on these: a usage error is fixed by changing the command,
 * an AEP error by reading its message, a failed batch by looking at its data (`aep batch errors`),
 * a network failure by retrying later.
 *
 * @since 0.1.0
 */

/**
 * The command did what it was asked (a batch that was asked about and has failed is no error:
 * only the commands that wait for a verdict exit `batchFailed`).
 *
 * @since 0.1.0
 * @category codes
 */
export const ok = 0

/**
 * AEP (or its identity service) answered with an error: 4xx/5xx, an answer that is not what its
 * contract documents, a refused credential.
 *
 * @since 0.1.0
 * @category codes
 */
export const aepError = 1

/**
 * The command line or its input was wrong and nothing was sent: an unknown option, a malformed
 * id, a file that cannot be read, incomplete configuration, an unknown profile.
 *
 * @since 0.1.0
 * @category codes
 */
export const usage = 2

/**
 * The batch reached a final status other than success (`failed`, `aborted`, …).
 *
 * @since 0.1.0
 * @category codes
 */
export const batchFailed = 3

/**
 * AEP could not be reached, or its answer did not arrive whole (connection refused, DNS, TLS,
 * reset); or `aep emulator` could not listen.
 *
 * @since 0.1.0
 * @category codes
 */
export const network = 4

/**
 * A wait ran out of time before the batch reached a final status.
 *
 * @since 0.1.0
 * @category codes
 */
export const timeout = 5

/**
 * A bug in `aep` itself (an unexpected defect).
 *
 * @since 0.1.0
 * @category codes
 */
export const internal = 70

/**
 * Interrupted (Ctrl-C, SIGTERM): 128 + SIGINT, as shells report it.
 *
 * @since 0.1.0
 * @category codes
 */
export const interrupted = 130

/**
 * Every code with its meaning, as `aep --help` and the README list them.
 *
 * @since 0.1.0
 * @category codes
 */
export const table: ReadonlyArray<readonly [code: number, meaning: string]> = [
  [ok, "success"],
  [aepError, "AEP answered with an error (4xx/5xx, a refused credential, an unexpected answer)"],
  [usage, "usage error: bad command line, invalid input, missing configuration; nothing was sent"],
  [batchFailed, "the batch ended failed, aborted or otherwise not successful"],
  [network, "network failure: AEP could not be reached or its answer was cut off"],
  [timeout, "timed out waiting for the batch to reach a final status"],
  [internal, "internal error (a bug in aep)"],
  [interrupted, "interrupted"]
]
