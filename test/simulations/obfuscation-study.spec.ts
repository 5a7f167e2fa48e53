/**
 * `npm run sim:obfuscation -- --smoke`: the whole study (VAE, classifiers, three attacks,
 * baseline, grid, summary) on 300 synthetic images, checked for the shape the docs rely on.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { runObfuscationStudy } from '../../simulations/lib/obfuscation-study.ts'
import type { ObfuscationResults } from '../../simulations/lib/obfuscation-study.ts'

describe('simulations: image obfuscation (sim:obfuscation --smoke)', function () {
  this.timeout(300_000)
  let dir: string
  before(() => { dir = mkdtempSync(join(tmpdir(), 'secagg-sim-obfuscation-')) })
  after(() => { rmSync(dir, { recursive: true, force: true }) })

  it('writes results.json, summary.md with every row, and a grid of 4 rows × 5 columns', async () => {
    const lines: string[] = []
    await runObfuscationStudy(['--smoke', '--out', dir], { stdout: (l) => lines.push(l), stderr: () => {} })
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as ObfuscationResults
    assert.equal(results.study, 'obfuscation')
    assert.deepEqual(results.datasets.map((d) => d.dataset), ['synthetic'])
    const d = results.datasets[0]!
    assert.deepEqual(d.images, { victimTrain: 180, heldOut: 60, attacker: 60 })
    assert.ok(d.distinctLevels < 256)
    assert.ok(d.obfuscatedVsOriginal.ssim < 0.2, `obfuscated SSIM ${d.obfuscatedVsOriginal.ssim}`)
    for (const a of ['algorithm', 'other-key', 'same-key'] as const) assert.ok(Number.isFinite(d.attacks[a].ssim) && Number.isFinite(d.attacks[a].psnr), a)
    const summary = readFileSync(join(dir, 'summary.md'), 'utf8')
    for (const row of ['obfuscated', 'knows the algorithm only', 'another key', 'the same key', 'mean image']) assert.ok(summary.includes(row), row)
    const grid = await sharp(join(dir, 'grid.png')).metadata()
    assert.ok(grid.width! > 5 * 96 && grid.height! > 4 * 96, `${grid.width}×${grid.height}`)
    assert.ok(lines.some((l) => l.includes('grid.png')))
  })
})
