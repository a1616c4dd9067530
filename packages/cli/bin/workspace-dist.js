// A module resolution hook (see aep.js): `…/src/Name.ts` becomes `…/dist/Name.js`.
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context)
  const match = /^(file:.*)\/src\/(.+)\.ts$/.exec(resolved.url)
  if (match === null) return resolved
  const built = `${match[1]}/dist/${match[2]}.js`
  if (!existsSync(fileURLToPath(built))) {
    throw new Error(`${fileURLToPath(resolved.url)} is not built: run 'pnpm build' first`)
  }
  return { ...resolved, url: built, format: "module" }
}
