/**
 * Bundles a Worker as a Workers deployment does (ESM, no Node built-ins, the workerd/browser
 * export conditions), minified, and measures it: minified bytes, gzipped bytes (zlib's default
 * level, as Wrangler reports it), and which packages the minified bytes come from.
 */
import { build } from "esbuild"
import { readFileSync } from "node:fs"
import { basename, dirname, join } from "node:path"
import { gzipSync } from "node:zlib"

export interface BundleSize {
  readonly minified: number
  readonly gzipped: number
  /** Minified bytes by origin: a package name, or the workspace folder. */
  readonly byOrigin: Record<string, number>
}

const origin = (input: string): string => {
  const packages = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)
  if (packages !== null) return packages[packages.length - 1]!.replace(/^node_modules\//, "").replace(/\/$/, "")
  const workspace = input.match(/^(packages\/[^/]+)\//)
  return workspace?.[1] ?? input
}

/**
 * `import { A, type B } from "effect"` made `import * as A from "effect/A"` (and
 * `import type * as B …`): the same program without the barrel, whose namespaces esbuild keeps
 * whole.
 */
export const deepEffectImports = (source: string): string =>
  source.replace(/^import \{([^}]+)\} from "effect"$/gm, (_, names: string) =>
    names.split(",").map((name) => name.trim()).filter((name) => name !== "").map((name) =>
      name.startsWith("type ")
        ? `import type * as ${name.slice(5)} from "effect/${name.slice(5)}"`
        : `import * as ${name} from "effect/${name}"`
    ).join("\n"))

export const measure = async (
  entry: string,
  workingDirectory: string,
  options: { readonly deepEffectImports?: boolean } = {}
): Promise<BundleSize> => {
  const path = join(workingDirectory, entry)
  const source = readFileSync(path, "utf8")
  const rewritten = options.deepEffectImports === true ? deepEffectImports(source) : source
  const result = await build({
    stdin: { contents: rewritten, resolveDir: dirname(path), sourcefile: basename(path), loader: "ts" },
    absWorkingDir: workingDirectory,
    bundle: true,
    minify: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["browser", "module", "main"],
    write: false,
    metafile: true,
    logLevel: "silent"
  })
  const bytes = result.outputFiles[0]!.contents
  const byOrigin: Record<string, number> = {}
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const key = origin(input)
      byOrigin[key] = (byOrigin[key] ?? 0) + bytesInOutput
    }
  }
  return { minified: bytes.length, gzipped: gzipSync(bytes).length, byOrigin }
}
