import assert from 'node:assert/strict'
import fc from 'fast-check'
import { STAGES, uniformStageTimeouts } from '../../src/protocol/index.ts'
import type { Stage } from '../../src/protocol/index.ts'
import { runSimulation } from '../../src/sim/memory-swarm.ts'

/**
 * Over seeded random dropout schedules, n from 3 to 50, both graph kinds: when the round
 * completes, the sum is the plaintext weighted sum over `included` within the quantization
 * error; when it aborts, fewer than t peers survived some step; and in no run was any peer's
 * b-share and s-share both released.
 */
/** 500 in npm test (it is the suite's longest file); DROPOUT_SCHEDULES=5000 for a long run. */
const SCHEDULES = Number(process.env.DROPOUT_SCHEDULES ?? 500)

describe('protocol: property over random dropout schedules', function () {
  this.timeout(600_000)

  it(`${SCHEDULES} schedules: correct sum or clean abort, never both shares of one peer`, () => {
    let completed = 0
    let aborted = 0
    fc.assert(fc.property(
      fc.integer({ min: 3, max: 50 }),
      fc.boolean(),
      fc.array(fc.tuple(fc.constantFrom<Stage>(...STAGES), fc.integer({ min: 0, max: 4 })), { maxLength: 3 }),
      fc.integer({ min: 0, max: 2 ** 30 }),
      (peers, complete, drops, seed) => {
        const dropout = new Map<Stage, number>()
        let total = 0
        for (const [stage, count] of drops) {
          const c = Math.min(count, peers - 1 - total - (dropout.get(stage) ?? 0))
          if (c > 0) { dropout.set(stage, (dropout.get(stage) ?? 0) + c); total += c }
        }
        const neighbours = complete || peers < 6 ? 'complete' as const : 4
        const { report, trace } = runSimulation({
          // The smallest safe t: c = ⌊5% · n⌋ on the complete graph, c = 0 on the sparse k = 4 graph.
          peers, dim: 6, neighbours, ...(neighbours === 'complete' ? {} : { maxCorrupt: 0 }),
          dropout, seed: String(seed), stageTimeouts: uniformStageTimeouts(100), latencyMs: 1, jitterMs: 2
        })
        for (const kinds of trace.releasedKinds.values()) assert.ok(kinds.size <= 1, 'both kinds of share released for one peer')
        if (report.aborted) {
          aborted++
          assert.equal(report.weightSum, null)
          assert.ok(report.reason !== null)
        } else {
          completed++
          const droppedBeforeMasked = (['advertise', 'share', 'masked'] as const).flatMap((s) => report.droppedAt[s] ?? [])
          const live = peers - droppedBeforeMasked.length
          // SecAgg+: a live peer whose neighbourhood fell below t aborts locally and is left out.
          const leftOut = Object.keys(report.participantAborts).length
          if (neighbours === 'complete') assert.equal(report.included.length, live)
          else assert.ok(report.included.length <= live && report.included.length >= live - leftOut)
          assert.ok(report.included.length >= Math.max(report.threshold + 1, report.maxCorrupt + 3))
          assert.equal(report.weightSum, report.included.length)
          assert.ok(report.maxAbsError! <= peers * 0.5 / 1e6 + 1e-9, `error ${report.maxAbsError}`)
        }
        // With every live peer in every neighbourhood, the complete graph must succeed while
        // every answering peer still has t others (a peer never holds its own shares) and
        // the sum holds at least c + 3 members.
        if (neighbours === 'complete' && total <= peers - report.threshold - 1 && peers - total >= report.maxCorrupt + 3) {
          assert.equal(report.aborted, false, `aborted: ${report.reason}`)
        }
      }), { numRuns: SCHEDULES, seed: 20261123 })
    assert.ok(completed > 100 && aborted > 10, `completed ${completed}, aborted ${aborted}`)
  })
})
