/**
 * Edge adapter for `@effect-aep/core`.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as AepEdge from "./AepEdge.js"
/** @since 0.1.0 */
export * as FileSource from "./FileSource.js"
