// How `secagg` runs its TypeScript sources without a build step: a synchronous, in-thread
// module hook (`module.registerHooks`, Node >= 22.15) hands each project .ts file to Node's
// own TypeScript transform (`module.stripTypeScriptTypes` in transform mode, which also
// handles the parameter properties and the generated wire code's enums), and keeps the
// output under node_modules/.cache keyed by a hash of the Node version and the source, so a
// file is transformed once. Registering tsx instead starts its hooks on a thread of their
// own: ~0.15 s of every command's start-up on a 2-core machine (docs/BENCHMARKS.md).
//
// `registerTypeScriptHooks()` returns false where this Node lacks either API; the caller
// then registers tsx.
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import * as nodeModule from 'node:module'
import { fileURLToPath } from 'node:url'

const ROOT = new URL('../', import.meta.url)
const CACHE_DIR = fileURLToPath(new URL('node_modules/.cache/secagg-swarm/typescript/', ROOT))

/** The project's own TypeScript: every .ts file under the package root, none from node_modules. */
function isProjectTypeScript (url) {
  return url.startsWith(ROOT.href) && url.endsWith('.ts') && !url.includes('/node_modules/')
}

/**
 * Node's transform, without its one-time "experimental" warning on stderr: a command's
 * output is read by scripts and tests, and the warning says nothing about the user's input.
 */
function transform (source, url) {
  const emitWarning = process.emitWarning
  process.emitWarning = (warning, ...rest) => {
    if (!String(warning?.message ?? warning).includes('stripTypeScriptTypes')) emitWarning.call(process, warning, ...rest)
  }
  try {
    return nodeModule.stripTypeScriptTypes(source, { mode: 'transform', sourceMap: true, sourceUrl: url })
  } finally {
    process.emitWarning = emitWarning
  }
}

/** The transformed module, from the cache when this exact source was transformed before. */
function compiled (url) {
  const source = readFileSync(fileURLToPath(url), 'utf8')
  const key = createHash('sha256').update(process.version).update('\0').update(url).update('\0').update(source).digest('hex')
  const cached = `${CACHE_DIR}${key}.js`
  try {
    return readFileSync(cached, 'utf8')
  } catch {}
  const code = transform(source, url)
  try {
    // Written whole, then renamed: processes started together (tests) never read half a file.
    mkdirSync(CACHE_DIR, { recursive: true })
    const partial = `${cached}.${process.pid}.${Math.random().toString(36).slice(2)}`
    writeFileSync(partial, code)
    renameSync(partial, cached)
  } catch {} // a read-only checkout: transform every time, still correct
  return code
}

export function registerTypeScriptHooks () {
  if (typeof nodeModule.registerHooks !== 'function' || typeof nodeModule.stripTypeScriptTypes !== 'function') return false
  nodeModule.registerHooks({
    load (url, context, nextLoad) {
      if (!isProjectTypeScript(url)) return nextLoad(url, context)
      return { format: 'module', source: compiled(url), shortCircuit: true }
    }
  })
  process.setSourceMapsEnabled(true) // stack traces name the .ts lines
  return true
}
