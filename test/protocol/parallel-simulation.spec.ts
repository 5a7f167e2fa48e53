/**
 * The parallel simulator must give the sequential one's run bit for bit: the same report (sum,
 * included and dropped peers, virtual stage times, bytes, aborts), the same events, the same
 * released shares, the same peer logs and stage progress; only the CPU-time figures and the wall
 * time may differ. The scenarios spread over both graphs, dropouts at every stage, sizes from 3
 * to a few hundred, DP noise inputs, and deadlines shorter than a window.
 */
import assert from 'node:assert/strict'
import { runSimulation } from '../../src/sim/memory-swarm.ts'
import type { SimulationObserver, SimulationOptions } from '../../src/sim/memory-swarm.ts'
import { runSimulationParallel } from '../../src/sim/parallel-swarm.ts'
import { prepareScenario, randomInputs } from '../../src/sim/scenario.ts'
import type { PeerLog } from '../../src/sim/peer-log.ts'
import type { ProgressSink } from '../../src/sim/progress.ts'
import { seededRandom } from '../../src/crypto/index.ts'
import { sampleNoiseShare } from '../../src/privacy/index.ts'
import { uniformStageTimeouts } from '../../src/protocol/index.ts'
import type { Stage } from '../../src/protocol/index.ts'

/** Everything an observer sees, in order. */
function recorder (): { observer: SimulationObserver, seen: unknown[][] } {
  const seen: unknown[][] = []
  const log: PeerLog = (...record) => { seen.push(['log', ...record]) }
  const progress: ProgressSink = {
    stage: (...a) => { seen.push(['stage', ...a]) },
    advance: (done) => { seen.push(['advance', done]) },
    note: (text) => { seen.push(['note', text]) },
    round: (...a) => { seen.push(['round', ...a]) }
  }
  return { observer: { log, progress }, seen }
}

/** The record without the set-up counts (how many members are built so far follows the threads). */
function withoutSetup (seen: readonly unknown[][]): unknown[][] {
  let setup = false
  return seen.filter((entry) => {
    if (entry[0] === 'stage') setup = entry[1] === 'setup'
    return !(setup && entry[0] === 'advance')
  })
}

async function assertSameRun (options: SimulationOptions, workers = 2): Promise<void> {
  const a = recorder()
  const b = recorder()
  const sequential = runSimulation(options, a.observer)
  const parallel = await runSimulationParallel(options, b.observer, { workers })
  const timeless = (r: typeof sequential.report): object => ({ ...r, wallMs: 0, cpuMs: undefined })
  assert.deepStrictEqual(timeless(parallel.report), timeless(sequential.report))
  assert.deepStrictEqual(parallel.trace.events, sequential.trace.events)
  assert.deepStrictEqual(parallel.trace.releasedKinds, sequential.trace.releasedKinds)
  assert.deepStrictEqual(withoutSetup(b.seen), withoutSetup(a.seen))
  assert.ok(a.seen.length > 0)
  assert.ok(parallel.report.cpuMs!.participantTotal > 0)
}

const drop = (spec: Record<string, number>): Map<Stage, number> => new Map(Object.entries(spec)) as Map<Stage, number>

describe('parallel in-memory simulator', () => {
  it('complete graph, n = 3 and n = 8, with a dropout at every stage', async () => {
    await assertSameRun({ peers: 3, dim: 8, neighbours: 'complete', seed: 'par-3', emitSum: true })
    for (const stage of ['advertise', 'share', 'masked', 'consistency', 'unmask']) {
      await assertSameRun({ peers: 8, dim: 8, neighbours: 'complete', maxCorrupt: 0, seed: `par-${stage}`, dropout: drop({ [stage]: 1 }), emitSum: true })
    }
  })

  it('SecAgg+, n = 60, dropouts at several stages, three workers', async () => {
    await assertSameRun({ peers: 60, dim: 16, seed: 'par-60', dropout: drop({ share: 1, masked: 0.05, consistency: 1, unmask: 1 }), expectedDropout: 0.15, emitSum: true }, 3)
  })

  it('SecAgg+, n = 250, 5% dropped before the masked input', async () => {
    await assertSameRun({ peers: 250, dim: 10, seed: 'par-250', dropout: drop({ masked: 0.05 }), emitSum: true })
  })

  it('the aggregator drops, and a round aborts for want of peers', async () => {
    await assertSameRun({ peers: 12, dim: 4, neighbours: 'complete', seed: 'par-agg', dropAggregator: true, dropout: drop({ masked: 3 }) })
    await assertSameRun({ peers: 10, dim: 4, neighbours: 'complete', seed: 'par-abort', dropout: drop({ share: 5 }) })
  })

  it('deadlines inside a window: members time out at every stage; no jitter, a short latency', async () => {
    // A member waits 2× the stage timeout: 8 ms against a 20 ms latency, so its deadline falls
    // inside the window its worker is stepping.
    for (const stage of ['share', 'masked', 'consistency', 'unmask'] as const) {
      await assertSameRun({ peers: 16, dim: 4, neighbours: 'complete', seed: `par-${stage}-deadline`, latencyMs: 20, stageTimeouts: { ...uniformStageTimeouts(200), [stage]: 4 }, dropout: drop({ masked: 2 }) })
    }
    await assertSameRun({ peers: 20, dim: 4, neighbours: 'complete', seed: 'par-short', latencyMs: 1, jitterMs: 0, stageTimeouts: uniformStageTimeouts(3), dropout: drop({ masked: 2 }) })
  })

  it('explicit inputs with weights and DP noise shares', async () => {
    const peers = 16
    const dim = 12
    const { vectors } = randomInputs(seededRandom('par-inputs'), peers, dim)
    const weights = vectors.map((_, i) => 1 + (i % 3))
    const base = { peers, dim, seed: 'par-dp', neighbours: 'complete' as const, dpNoise: { stddev: 0.5 }, emitSum: true, dropout: drop({ masked: 1 }) }
    const plan = prepareScenario({ ...base, inputs: { vectors, weights } }).config.quantization
    const noise = vectors.map((_, i) => sampleNoiseShare(plan, dim, seededRandom(`par-noise/${i}`)))
    await assertSameRun({ ...base, inputs: { vectors: vectors.map((v) => Array.from(v)), weights, noise } })
  })

  it('one worker, zero latency or a random override run the sequential simulator', async () => {
    await assertSameRun({ peers: 6, dim: 4, neighbours: 'complete', seed: 'par-one' }, 1)
    await assertSameRun({ peers: 6, dim: 4, neighbours: 'complete', seed: 'par-zero', latencyMs: 0 })
    const wrapped = await runSimulationParallel({ peers: 6, dim: 4, neighbours: 'complete', seed: 'par-rng' }, { random: (_, rng) => rng }, { workers: 2 })
    assert.equal(wrapped.report.aborted, false)
  })
})
