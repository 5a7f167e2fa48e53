/**
 * bin/typescript-hooks.js, which lets `secagg` run the TypeScript sources without tsx's loader
 * thread: what the sources use (parameter properties, enums, type-only imports) runs, an
 * edited file is transformed afresh rather than served stale from the cache, nothing is
 * printed on stderr, and a stack trace names the .ts line.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)
const HOOKS = new URL('../../bin/typescript-hooks.js', import.meta.url).href
// Inside the package root (the hooks only take the project's own files); tmp/ is ignored by git.
const DIR = fileURLToPath(new URL('../../tmp/typescript-hooks-probe/', import.meta.url))

async function load (file: string, hooks = HOOKS): Promise<{ out: string, err: string, code: number }> {
  const script = `import { registerTypeScriptHooks } from ${JSON.stringify(hooks)}
if (!registerTypeScriptHooks()) process.exit(3)
await import(${JSON.stringify(pathToFileURL(file).href)})`
  try {
    const { stdout, stderr } = await run(process.execPath, ['--input-type=module', '-e', script], { timeout: 60_000 })
    return { out: stdout, err: stderr, code: 0 }
  } catch (err) {
    const e = err as { stdout: string, stderr: string, code: number }
    return { out: e.stdout, err: e.stderr, code: e.code }
  }
}

// A token per run: the first load of each test run is a cache miss, the case that could warn.
const TOKEN = `${process.pid}-${Math.random().toString(36).slice(2)}`
const probe = (greeting: string): string => `// ${TOKEN}
import type { Stage } from '../../src/protocol/index.ts'
enum Colour { Red = 'red', Blue = 'blue' }
class Greeter {
  constructor (private readonly name: string, readonly colour: Colour) {}
  greet (): string { return \`${greeting} \${this.name} in \${this.colour}\` }
}
const stage: Stage = 'masked'
console.log(new Greeter('swarm', Colour.Blue).greet(), stage)
`

describe('bin/typescript-hooks.js', () => {
  before(() => { mkdirSync(DIR, { recursive: true }) })
  after(() => { rmSync(DIR, { recursive: true, force: true }) })

  it('runs parameter properties, enums and type-only imports; an edited file runs as edited; stderr stays empty', async () => {
    const file = `${DIR}probe.ts`
    writeFileSync(file, probe('hello'))
    const first = await load(file)
    assert.equal(first.code, 0, first.err)
    assert.equal(first.out, 'hello swarm in blue masked\n')
    assert.equal(first.err, '', 'no experimental-feature warning')
    assert.deepEqual(await load(file), first, 'from the cache: the same')
    writeFileSync(file, probe('goodbye'))
    const edited = await load(file)
    assert.equal(edited.out, 'goodbye swarm in blue masked\n', 'the cache is keyed by the source, never stale')
    assert.equal(edited.err, '')
  })

  it('a package installed under some node_modules directory still runs its own sources; its own node_modules stays untouched', async () => {
    const outer = mkdtempSync(join(tmpdir(), 'secagg-hooks-'))
    try {
      const root = join(outer, 'app', 'node_modules', 'secagg-swarm')
      mkdirSync(join(root, 'bin'), { recursive: true })
      mkdirSync(join(root, 'src'))
      copyFileSync(fileURLToPath(HOOKS), join(root, 'bin', 'typescript-hooks.js'))
      writeFileSync(join(root, 'src', 'main.ts'), `class Box { constructor (readonly size: number) {} }\nconsole.log(new Box(${TOKEN.length}).size)\n`)
      const run = await load(join(root, 'src', 'main.ts'), pathToFileURL(join(root, 'bin', 'typescript-hooks.js')).href)
      assert.equal(run.code, 0, run.err)
      assert.equal(run.out, `${TOKEN.length}\n`)
      // A .ts file in the package's own node_modules is not the project's: Node refuses it as usual.
      mkdirSync(join(root, 'node_modules', 'dep'), { recursive: true })
      writeFileSync(join(root, 'node_modules', 'dep', 'index.ts'), 'const n: number = 1\nconsole.log(n)\n')
      const dependency = await load(join(root, 'node_modules', 'dep', 'index.ts'), pathToFileURL(join(root, 'bin', 'typescript-hooks.js')).href)
      assert.match(dependency.err, /ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING/)
    } finally {
      rmSync(outer, { recursive: true, force: true })
    }
  })

  it('a stack trace names the TypeScript file and line', async () => {
    const file = `${DIR}throws.ts`
    // Enums and parameter properties are rewritten into more lines: without the source map
    // the throw would be reported on another line.
    writeFileSync(file, `// ${TOKEN}
enum Side { Left, Right }
class Square { constructor (readonly side: Side, private readonly size: number) {} area (): number { return this.size ** 2 } }
if (new Square(Side.Left, 2).area() === 4) throw new Error('probe failure')
`)
    const { code, err } = await load(file)
    assert.notEqual(code, 0)
    assert.match(err, /probe failure/)
    assert.match(err, /throws\.ts:4/, err)
  })
})
