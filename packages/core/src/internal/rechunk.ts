import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

/**
 * Regroups a byte stream into chunks of exactly `size` bytes (the last one shorter). Each
 * emitted chunk is a fresh buffer: it can be kept for a retry while the next one fills, and no
 * more than one chunk's worth of bytes is held beyond what the consumer keeps.
 */
export const rechunk = <E, R>(stream: Stream.Stream<Uint8Array, E, R>, size: number): Stream.Stream<Uint8Array, E, R> =>
  Stream.suspend(() => {
    let buffer = new Uint8Array(size)
    let filled = 0
    return stream.pipe(
      Stream.mapConcat((input) => {
        const out: Array<Uint8Array> = []
        let offset = 0
        while (offset < input.length) {
          const take = Math.min(size - filled, input.length - offset)
          buffer.set(input.subarray(offset, offset + take), filled)
          filled += take
          offset += take
          if (filled === size) {
            out.push(buffer)
            buffer = new Uint8Array(size)
            filled = 0
          }
        }
        return out
      }),
      Stream.concat(Stream.suspend(() => (filled === 0 ? Stream.empty : Stream.make(buffer.subarray(0, filled)))))
    )
  })

/** Counts the bytes flowing through, reporting the running total after each piece. */
export const tapBytes = <E, R, E2, R2>(
  stream: Stream.Stream<Uint8Array, E, R>,
  onBytes: (total: number) => Effect.Effect<void, E2, R2>
): Stream.Stream<Uint8Array, E | E2, R | R2> =>
  Stream.suspend(() => {
    let total = 0
    return Stream.tap(stream, (bytes) => {
      total += bytes.length
      return onBytes(total)
    })
  })

// Kept for callers that need one buffer of a small stream (e.g. a Uint8Array source).
export const collect = <E, R>(stream: Stream.Stream<Uint8Array, E, R>): Effect.Effect<Uint8Array, E, R> =>
  Effect.map(Stream.runCollect(stream), (chunks) => {
    const all = Chunk.toReadonlyArray(chunks)
    const bytes = new Uint8Array(all.reduce((n, c) => n + c.length, 0))
    let offset = 0
    for (const c of all) {
      bytes.set(c, offset)
      offset += c.length
    }
    return bytes
  })

