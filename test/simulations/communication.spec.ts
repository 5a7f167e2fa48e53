/** The communication study's --smoke grid and --replot: expansion > 1, the 2-byte baseline, charts. */
import assert from 'node:assert/strict'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { runCommunicationStudy } from '../../simulations/communication.ts'
import type { CommunicationResults } from '../../simulations/communication.ts'
import { assertCharts, runSmoke } from './study-helpers.ts'

describe('simulations: communication expansion (--smoke)', () => {
  it('reports bytes per peer ÷ 4 M and ÷ 2 M for each point, and the charts', async () => {
    const run = await runSmoke(runCommunicationStudy)
    try {
      const r = run.results as unknown as CommunicationResults
      assert.equal(r.study, 'communication')
      assert.equal(r.points.length, 3)
      for (const p of r.points) {
        assert.ok(p.completed)
        assert.ok(p.expansion > 1, `a member sends more than its input: ${p.expansion}`)
        assert.ok(p.expansion < 10, `but not absurdly more at M = ${p.dim}: ${p.expansion}`)
        assert.ok(Math.abs(p.expansionVs16Bit - 2 * p.expansion) < 1e-9)
        assert.ok(Math.abs(p.overheadBytes - (p.bytesPerPeer - 4 * p.dim)) < 1e-6)
      }
      // More neighbours, more shares to send: SecAgg+ at n = 20 sends more than at n = 10.
      const sparse = r.points.filter((p) => p.graph === 'secagg+')
      assert.ok(sparse[1]!.overheadBytes > sparse[0]!.overheadBytes)
      assertCharts(run.dir, ['overhead', 'expansion'])
      assert.match(readFileSync(join(run.dir, 'summary.md'), 'utf8'), /raw input = 4 M bytes/)
    } finally {
      run.cleanup()
    }
  })

  it('--replot redraws from results.json without touching it; a missing or foreign one is a usage error', async () => {
    const run = await runSmoke(runCommunicationStudy)
    const io = { stderr: () => {}, stdout: () => {} }
    try {
      const results = join(run.dir, 'results.json')
      const before = readFileSync(results, 'utf8')
      const mtime = statSync(results).mtimeMs
      await runCommunicationStudy(['--out', run.dir, '--replot'], io)
      assert.equal(readFileSync(results, 'utf8'), before)
      assert.equal(statSync(results).mtimeMs, mtime)
      assertCharts(run.dir, ['overhead', 'expansion'])
      await assert.rejects(runCommunicationStudy(['--out', join(run.dir, 'nothing-here'), '--replot'], io), (e: Error) => e.name === 'StudyUsageError' && /cannot read/.test(e.message))
      const { runDropoutStudy } = await import('../../simulations/dropout.ts')
      await assert.rejects(runDropoutStudy(['--out', run.dir, '--replot'], io), (e: Error) => e.name === 'StudyUsageError' && /communication study's results/.test(e.message))
    } finally {
      run.cleanup()
    }
  })
})
