/** The scaling study's --smoke grid: points, fitted exponents, the dropout comparison, charts. */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { runScalingStudy } from '../../simulations/scaling.ts'
import type { ScalingResults } from '../../simulations/scaling.ts'
import { assertCharts, runSmoke } from './study-helpers.ts'

describe('simulations: scaling (--smoke, memory and libp2p on 127.0.0.1)', () => {
  it('measures every n, fits sane exponents, compares 0 % and 10 % dropout and draws the charts', async () => {
    const run = await runSmoke(runScalingStudy)
    try {
      const r = run.results as unknown as ScalingResults
      assert.equal(r.study, 'scaling')
      const memory = r.points.filter((p) => p.transport === 'memory')
      const libp2p = r.points.filter((p) => p.transport === 'libp2p')
      assert.deepEqual(memory.map((p) => `${p.graph}:${p.n}`), ['complete:10', 'complete:20', 'complete:40', 'secagg+:10', 'secagg+:20', 'secagg+:40'])
      assert.deepEqual(libp2p.map((p) => p.n), [5, 8])
      for (const p of r.points) assert.ok(p.success, `${p.transport} ${p.graph} n=${p.n} completes`)
      for (const p of libp2p) assert.equal(p.aggregatorMs, null, 'libp2p has no per-role CPU split')
      for (const p of memory) assert.ok(p.aggregatorMs! > 0 && p.participantMs! > 0)
      // Bytes per peer grow with n on the complete graph (a share for every other member): b well above 0, below 3.
      const bytes = r.fits.find((f) => f.transport === 'memory' && f.graph === 'complete' && f.metric === 'bytesPerPeer')!
      assert.ok(bytes.exponent > 0.3 && bytes.exponent < 3, `bytes exponent ${bytes.exponent}`)
      for (const f of r.fits) assert.ok(Number.isFinite(f.exponent) && f.exponent > -2 && f.exponent < 4, `${f.transport} ${f.graph} ${f.metric}: ${f.exponent}`)
      assert.equal(r.fits.filter((f) => f.transport === 'memory').length, 6)
      assert.equal(r.comparison.length, 2)
      for (const c of r.comparison) assert.ok(c.factor > 0 && c.aggregatorMsNoDropout > 0, `${c.graph}: factor ${c.factor}`)
      assert.ok(run.stderr.some((l) => /^fit memory complete bytesPerPeer: exponent/.test(l)), 'the exponents are printed')
      assertCharts(run.dir, ['memory-cost', 'libp2p-cost', 'dropout-factor'])
      assert.match(readFileSync(join(run.dir, 'summary.md'), 'utf8'), /## Growth exponents/)
    } finally {
      run.cleanup()
    }
  })

  it('--transport names its choices when given something else', async () => {
    await assert.rejects(runScalingStudy(['--smoke', '--transport', 'tcp'], { stderr: () => {}, stdout: () => {} }),
      (e: Error) => e.name === 'StudyUsageError' && /--transport must be one of memory, libp2p, both, got 'tcp'/.test(e.message))
  })
})
