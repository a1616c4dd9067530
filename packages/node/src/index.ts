/**
 * Node.js adapter for `@effect-aep/core`.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as AepNode from "./AepNode.js"
/** @since 0.1.0 */
export * as FileSource from "./FileSource.js"
