/**
 * `secagg obfuscate` and the member's obfuscation key: `init` creates the key (0600), a
 * member directory made before obfuscation existed gets one on first use with nothing else
 * touched, bad input is refused in one line before anything is written, a PNG/DICOM folder
 * comes out as PNGs in the same `<class>/<file>` layout — identical on a second run (the
 * stored VAE and key) — the train task's `dataset.obfuscate` trains the VAE once and keeps
 * it, and neither the CLI output nor the logs hold the key.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { nodeConfigSchema } from '../../src/node/config/node-dir.ts'
import { loadObfuscationKey } from '../../src/node/config/obfuscation-store.ts'
import { TrainTask } from '../../src/node/task/train-task.ts'
import { memberObfuscator } from '../../src/node/task/member-obfuscation.ts'
import { initBackend } from '../../src/train/backend.ts'
import { generateSyntheticCxr } from '../../src/train/data/synthetic-cxr.ts'
import { cli } from '../helpers/cli.ts'
import { writeDicom } from '../helpers/image-files.ts'
import { SecretScanner } from '../helpers/secret-scan.ts'

describe('node: secagg obfuscate', function () {
  this.timeout(120_000)
  let root: string
  let member: string
  let images: string

  before(async () => {
    await initBackend({ prefer: 'wasm' })
    root = mkdtempSync(join(tmpdir(), 'secagg-obfuscate-'))
    member = join(root, 'member')
    images = join(root, 'images')
    for (const cls of ['normal', 'opacity']) mkdirSync(join(images, cls), { recursive: true })
    for (let i = 0; i < 4; i++) {
      await sharp(Buffer.from(Array.from({ length: 20 * 20 }, (_, p) => (p * (i + 3)) % 256)), { raw: { width: 20, height: 20, channels: 1 } }).png().toFile(join(images, 'normal', `n${i}.png`))
      writeDicom(join(images, 'opacity', `o${i}.dcm`), { rows: 12, cols: 12, values: (p) => (p * (i + 5)) % 4096 })
    }
    assert.equal((await cli('init', '--dir', member, '--listen', '/ip4/127.0.0.1/tcp/0')).code, 0)
  })

  after(() => { rmSync(root, { recursive: true, force: true }) })

  it('init creates DIR/obfuscation.key, 32 bytes, mode 0600', () => {
    const path = join(member, 'obfuscation.key')
    assert.equal(readFileSync(path).length, 32)
    assert.equal(statSync(path).mode & 0o777, 0o600)
  })

  it('writes every image as <class>/<name>.png, 16×16, identical on a second run; the key is in no output', async () => {
    const out1 = join(root, 'out1')
    const first = await cli('obfuscate', '--dir', member, '--in', images, '--out', out1, '--image-size', '16', '--vae-epochs', '2', '--quiet')
    assert.equal(first.code, 0, first.err)
    assert.match(first.out, /obfuscated 8 images/)
    assert.deepEqual(readdirSync(join(out1, 'normal')).sort(), ['n0.png', 'n1.png', 'n2.png', 'n3.png'])
    assert.deepEqual(readdirSync(join(out1, 'opacity')).sort(), ['o0.png', 'o1.png', 'o2.png', 'o3.png'])
    const meta = await sharp(join(out1, 'opacity', 'o2.png')).metadata()
    assert.deepEqual([meta.width, meta.height, meta.format], [16, 16, 'png'])
    assert.ok(existsSync(join(member, 'obfuscation', 'vae-16.json')))
    const out2 = join(root, 'out2')
    const second = await cli('obfuscate', '--dir', member, '--in', images, '--out', out2, '--image-size', '16', '--quiet')
    assert.equal(second.code, 0, second.err)
    for (const f of ['normal/n0.png', 'opacity/o3.png']) assert.deepEqual(readFileSync(join(out2, f)), readFileSync(join(out1, f)))
    const scanner = new SecretScanner()
    scanner.addBytes('obfuscation key', readFileSync(join(member, 'obfuscation.key')))
    assert.deepEqual(scanner.scan(first.out + first.err + second.out + second.err), [])
  })

  it('refuses bad input in one line naming the problem and the fix, writing nothing', async () => {
    const notEmpty = join(root, 'not-empty')
    mkdirSync(notEmpty)
    writeFileSync(join(notEmpty, 'keep.txt'), 'keep me')
    const broken = join(root, 'broken')
    mkdirSync(join(broken, 'a'), { recursive: true })
    mkdirSync(join(broken, 'b'))
    writeFileSync(join(broken, 'a', 'x.png'), 'not a PNG')
    const cases: Array<[string[], RegExp]> = [
      [['--dir', join(root, 'nobody'), '--in', images, '--out', join(root, 'o1')], /is not a member directory .*run 'secagg init/],
      [['--dir', member, '--in', join(root, 'missing'), '--out', join(root, 'o2')], /--in .* is not a directory/],
      [['--dir', member, '--in', images, '--out', notEmpty], /is not empty; give a new or empty directory/],
      [['--dir', member, '--in', images, '--out', join(images, 'normal')], /inside --in/],
      [['--dir', member, '--in', broken, '--out', join(root, 'o3')], /x\.png: not a readable PNG\/JPEG image .*fix or remove the file/],
      [['--dir', member, '--in', images], /--out is required/]
    ]
    for (const [args, message] of cases) {
      const r = await cli('obfuscate', ...args, '--quiet')
      assert.equal(r.code, 2, r.err)
      assert.match(r.err, message)
      assert.equal(r.err.trim().split('\n').length, 1, r.err)
    }
    assert.deepEqual(readdirSync(notEmpty), ['keep.txt'])
    for (const o of ['o1', 'o2', 'o3']) assert.ok(!existsSync(join(root, o)))
  })

  it('a member directory without a key gets one on first use; its other files stay as they were', async () => {
    const old = join(root, 'old-member')
    assert.equal((await cli('init', '--dir', old, '--listen', '/ip4/127.0.0.1/tcp/0')).code, 0)
    unlinkSync(join(old, 'obfuscation.key'))
    const before = Object.fromEntries(readdirSync(old).map((f) => [f, readFileSync(join(old, f))]))
    const records: string[] = []
    const set = generateSyntheticCxr({ count: 16, size: 16, seed: 'first-use' })
    const obfuscator = await memberObfuscator(old, set, { epochs: 1, logger: { info: (event, fields) => records.push(JSON.stringify({ event, ...fields })) } })
    obfuscator.vae.dispose()
    for (const [f, bytes] of Object.entries(before)) assert.deepEqual(readFileSync(join(old, f)), bytes, f)
    const { key, created } = loadObfuscationKey(old)
    assert.equal(created, false)
    assert.ok(records.some((r) => r.includes('obfuscation-key-created')))
    const scanner = new SecretScanner()
    scanner.addBytes('obfuscation key', key.secretBytes())
    assert.deepEqual(scanner.scan(records.join('\n')), [])
  })

  it('dataset {source, obfuscate: true}: the train task trains the VAE on first start, loads it on the next, and logs no key', async () => {
    const dir = join(root, 'trainer')
    assert.equal((await cli('init', '--dir', dir, '--listen', '/ip4/127.0.0.1/tcp/0')).code, 0)
    const records: string[] = []
    const log = (level: string) => (event: string, fields?: object): void => { records.push(JSON.stringify({ level, event, ...fields })) }
    const logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') }
    const config = nodeConfigSchema.parse({ dataset: { source: 'synthetic', obfuscate: true }, datasetShard: { index: 0, count: 10 } })
    const spec = { type: 'train' as const, classes: ['normal', 'opacity'], model: 'cnn' as const, imageSize: 16, epochs: 1, batchSize: 32, learningRate: 0.002, seed: 'obfuscated-task' }
    for (let start = 0; start < 2; start++) (await TrainTask.create({ dir, spec, config, peerId: 'member-a', maxWeight: 100_000, logger })).close()
    const events = records.map((r) => (JSON.parse(r) as { event: string }).event)
    assert.deepEqual(events.filter((e) => e.startsWith('obfuscation-vae')), ['obfuscation-vae-trained', 'obfuscation-vae-loaded'])
    assert.ok(existsSync(join(dir, 'obfuscation', 'vae-16.bin')))
    const scanner = new SecretScanner()
    scanner.addBytes('obfuscation key', readFileSync(join(dir, 'obfuscation.key')))
    assert.deepEqual(scanner.scan(records.join('\n')), [])
    assert.equal(nodeConfigSchema.safeParse({ dataset: { source: 'synthetic', obfuscate: 'yes' } }).success, false)
  })
})
