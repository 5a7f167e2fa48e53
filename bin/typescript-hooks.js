// How `secagg` runs its TypeScript sources without a build step: a synchronous, in-thread
// module hook (`module.registerHooks`, Node >= 22.15) hands each project .ts file to Node's
// own TypeScript transform (`module.stripTypeScriptTypes` in transform mode, which also
// handles the parameter properties and the generated wire code's enums), and keeps the
// output under node_modules/.cache keyed by a hash of the Node version, the transform's
// options, the path and the source, so a file is transformed once. Entries are never pruned:
// each is one file's output (a few kB), and `rm -rf node_modules/.cache` is always safe.
// Registering tsx instead starts its hooks on a thread of their own: ~0.15 s of every
// command's start-up on a 2-core machine (docs/BENCHMARKS.md).
//
// `registerTypeScriptHooks()` returns false where this Node lacks either API; the caller
// then registers tsx. A Node built without its TypeScript transformer has both APIs but fails
// on the first uncached file, with an error that names the way out.
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import * as nodeModule from 'node:module'
import { fileURLToPath } from 'node:url'

const ROOT = new URL('../', import.meta.url)
const CACHE_DIR = fileURLToPath(new URL('node_modules/.cache/secagg-swarm/typescript/', ROOT))

/**
 * The project's own TypeScript: every .ts file under the package root, none from its
 * node_modules. Only the part inside the root is checked: the package may itself sit in some
 * node_modules directory (installed as a dependency), where Node refuses to strip types.
 */
function isProjectTypeScript (url) {
  return url.startsWith(ROOT.href) && url.endsWith('.ts') && !url.slice(ROOT.href.length).split('/').includes('node_modules')
}

/** What the cached output depends on besides the source: a change here invalidates every entry. */
const TRANSFORM = JSON.stringify({ hooks: 1, mode: 'transform', sourceMap: true })

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
  const key = createHash('sha256').update(process.version).update('\0').update(TRANSFORM).update('\0').update(url).update('\0').update(source).digest('hex')
  const cached = `${CACHE_DIR}${key}.js`
  try {
    return readFileSync(cached, 'utf8')
  } catch {}
  let code
  try {
    code = transform(source, url)
  } catch (err) {
    // Not probed at start-up: loading the transformer costs ~0.2 s, which the cache exists to save.
    if (err?.code !== 'ERR_NO_TYPESCRIPT') throw err
    throw new Error(`this Node (${process.version}) was built without its TypeScript transformer; run it through npm (\`npx secagg ...\`), which uses the node@22 the project pins, or through tsx (\`npm run secagg -- ...\`)`, { cause: err })
  }
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
