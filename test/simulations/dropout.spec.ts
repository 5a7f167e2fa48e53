/** The dropout sweep's --smoke grid: the JSON's shape, plausible values, charts and summary. */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { runDropoutStudy } from '../../simulations/dropout.ts'
import type { DropoutCell } from '../../simulations/dropout.ts'
import { assertCharts, runSmoke } from './study-helpers.ts'

describe('simulations: dropout sweep (--smoke)', () => {
  it('writes a cell per (n, graph, stage, level) with success 1 at 0 %, costs > 0, charts and summary', async () => {
    const run = await runSmoke(runDropoutStudy)
    try {
      const r = run.results as unknown as { study: string, dim: number, cells: DropoutCell[], machine: { cpus: number, node: string } }
      assert.equal(r.study, 'dropout')
      assert.ok(r.machine.cpus >= 1 && r.machine.node.startsWith('v'))
      // Smoke grid: n = 10, both graphs, 0 % once plus 30 % at share and masked.
      assert.equal(r.cells.length, 6)
      for (const graph of ['complete', 'secagg+']) {
        const base = r.cells.find((c) => c.graph === graph && c.stage === null)!
        assert.equal(base.dropout, 0)
        assert.equal(base.successRate, 1, `${graph}: every round completes without dropout`)
        assert.ok(base.aggregatorMs! > 0 && base.participantMs! > 0, `${graph}: CPU times measured`)
        // A member sends at least its masked input: dim 32-bit words.
        assert.ok(base.bytesPerPeer! > 4 * r.dim, `${graph}: ${base.bytesPerPeer} bytes per peer`)
        assert.equal(base.seeds, 2)
      }
      assert.equal(r.cells.find((c) => c.graph === 'complete' && c.stage === null)!.neighbours, 'complete')
      assert.equal(typeof r.cells.find((c) => c.graph === 'secagg+' && c.stage === null)!.neighbours, 'number')
      for (const c of r.cells) {
        assert.ok(c.successRate >= 0 && c.successRate <= 1)
        if (c.successRate === 0) assert.equal(c.aggregatorMs, null, 'no completed round, no mean time')
        else assert.equal(Object.values(c.reasons).reduce((a, b) => a + b, 0), Math.round((1 - c.successRate) * c.seeds))
      }
      assertCharts(run.dir, ['success-rate', 'aggregator-time'])
      const summary = readFileSync(join(run.dir, 'summary.md'), 'utf8')
      assert.match(summary, /!\[success rate against dropout\]\(success-rate\.png\)/)
      assert.ok(run.stderr.some((l) => /^\[1\/6\] n=10 complete any stage 0%: .*elapsed/.test(l)), 'progress names the cell and the elapsed time')
    } finally {
      run.cleanup()
    }
  })

  it('refuses an unknown flag and --full with --smoke with one line naming the problem', async () => {
    const io = { stderr: () => {}, stdout: () => {} }
    await assert.rejects(runDropoutStudy(['--peers', '5'], io), (e: Error) => e.name === 'StudyUsageError' && /--peers/.test(e.message) && /--help/.test(e.message))
    await assert.rejects(runDropoutStudy(['--full', '--smoke'], io), (e: Error) => e.name === 'StudyUsageError' && /not both/.test(e.message))
  })
})
