/**
 * Property tests draw from a fixed seed, so a run is reproducible and CI is not at the mercy of
 * the draw. Set FC_SEED to explore other draws (the seed of a failure is printed with it).
 */
import * as FastCheck from "effect/FastCheck"

const seed = Number(process.env["FC_SEED"] ?? 20261204)
FastCheck.configureGlobal({ seed })
