/**
 * `secagg simulate --transport libp2p`: the same scenario as the in-memory swarm over real
 * libp2p hosts on 127.0.0.1 (TCP + Noise + Yamux, one per peer, in this process). The two
 * reports must agree on everything but timings, so researchers can compare them.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cli } from '../helpers/cli.ts'
import { LoopbackSwarm, messageLimitFor, runPlainRound, runSecureRound } from '../../src/node/sim/libp2p-swarm.ts'
import { prepareScenario } from '../../src/sim/scenario.ts'

const TIMING_FIELDS = ['stageMs', 'wallMs', 'transport', 'cpuMs']

function withoutTimings (report: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(report).filter(([k]) => !TIMING_FIELDS.includes(k)))
}

describe('secagg simulate --transport libp2p', function () {
  this.timeout(60_000)
  let dir: string
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'secagg-sim-l2p-')) })
  afterEach(() => { rmSync(dir, { recursive: true, force: true }) })

  async function both (...flags: string[]): Promise<{ memory: Record<string, unknown>, libp2p: Record<string, unknown>, out: string }> {
    const reports: Record<string, Record<string, unknown>> = {}
    let out = ''
    for (const transport of ['memory', 'libp2p']) {
      const path = join(dir, `${transport}.json`)
      const r = await cli('simulate', ...flags, '--transport', transport, '--out', path)
      assert.equal(r.code, 0, r.err)
      if (transport === 'libp2p') out = r.out
      reports[transport] = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>
    }
    return { memory: reports.memory!, libp2p: reports.libp2p!, out }
  }

  it('a round with dropouts at masked and unmask: the same report as the memory swarm, timings aside', async () => {
    const { memory, libp2p, out } = await both('--peers', '7', '--dim', '300', '--complete', '--dropout', 'masked=1,unmask=1', '--seed', '21', '--emit-sum', '--stage-timeout', '1500')
    assert.equal(libp2p.transport, 'libp2p')
    assert.equal(memory.transport, 'memory')
    assert.equal(libp2p.aborted, false)
    assert.equal((libp2p.included as number[]).length, 6, 'the masked-stage dropout is out, the unmask-stage one is in')
    assert.deepEqual(withoutTimings(libp2p), withoutTimings(memory))
    assert.ok((libp2p.maxAbsError as number) < 1e-6)
    for (const stage of ['advertise', 'share', 'masked', 'consistency', 'unmask']) assert.ok(typeof (libp2p.stageMs as Record<string, number>)[stage] === 'number', `stageMs.${stage}`)
    assert.ok((libp2p.stageMs as Record<string, number>).masked! >= 1500, 'the masked stage waited its deadline for the dropped peer')
    assert.match(out, /wall-clock time per stage/)
  })

  it('SecAgg+ with a dropout at share: the same report too', async () => {
    const { memory, libp2p } = await both('--peers', '12', '--dim', '50', '--neighbours', '6', '--threshold', '4', '--dropout', 'share=2', '--seed', '5', '--emit-sum', '--stage-timeout', '2000')
    assert.equal(libp2p.neighbours, 6)
    assert.deepEqual(withoutTimings(libp2p), withoutTimings(memory))
  })

  it('too many dropouts: the round aborts the same way on both transports (exit 0, nothing revealed)', async () => {
    const { memory, libp2p } = await both('--peers', '5', '--dim', '20', '--dropout', 'advertise=3', '--seed', '3', '--emit-sum', '--stage-timeout', '300')
    assert.equal(libp2p.aborted, true)
    assert.equal(libp2p.sum, undefined)
    assert.deepEqual(withoutTimings(libp2p), withoutTimings(memory))
  })

  it('refuses flags that only shape virtual links, and swarms too large for one process', async () => {
    const latency = await cli('simulate', '--peers', '5', '--dim', '3', '--transport', 'libp2p', '--latency', '10')
    assert.equal(latency.code, 2)
    assert.match(latency.err, /--latency and --jitter shape the memory transport/)
    const big = await cli('simulate', '--peers', '500', '--dim', '3', '--transport', 'libp2p')
    assert.equal(big.code, 2)
    assert.match(big.err, /at most 256 peers.*use --transport memory/)
  })

  it('a secure round whose inputs come after the key exchange (members still training) sums them exactly', async () => {
    const s = prepareScenario({ peers: 5, dim: 40, neighbours: 'complete', seed: '8' })
    const swarm = await LoopbackSwarm.start(s.identitySeeds, messageLimitFor(s.dim, s.peers))
    try {
      await swarm.connectTo(s.aggregatorIndex, AbortSignal.timeout(20_000))
      const seen = await runSecureRound(swarm, s, AbortSignal.timeout(60_000), {}, { inputsAfterKeys: true })
      const stageAt = (stage: string): number => {
        const found = seen.events.find((e) => e.role === 'aggregator' && e.event.type === 'stage' && e.event.stage === stage)?.event
        return found?.type === 'stage' ? found.at : Number.NaN
      }
      const done = seen.events.find((e) => e.role === 'aggregator' && e.event.type === 'result')?.event
      assert.ok(done?.type === 'result', 'the round completed')
      assert.ok(seen.inputsAt !== undefined && seen.inputsAt >= stageAt('masked'), 'inputs given after every member held its shares')
      for (let j = 0; j < 40; j++) {
        const expected = s.weights.reduce((sum, w, i) => sum + w * s.inputOf(i)[j]!, 0)
        assert.ok(Math.abs(done.result.sum[j]! - expected) < 1e-4, `coordinate ${j}`)
      }
    } finally {
      await swarm.stop()
    }
  })

  it('the plain round of the swarm benchmark delivers the exact weighted sum of the quantized inputs', async () => {
    const s = prepareScenario({ peers: 5, dim: 40, seed: '8', inputs: { vectors: Array.from({ length: 5 }, (_, i) => Array.from({ length: 40 }, (_, j) => (i - 2) * 0.5 + j / 100)), weights: [1, 2, 3, 1, 2] } })
    const swarm = await LoopbackSwarm.start(s.identitySeeds, messageLimitFor(s.dim, s.peers))
    try {
      const result = await runPlainRound(swarm, s, AbortSignal.timeout(20_000))
      assert.equal(result.weightSum, 9)
      for (let j = 0; j < 40; j++) {
        const expected = s.weights.reduce((sum, w, i) => sum + w * s.inputOf(i)[j]!, 0)
        assert.ok(Math.abs(result.sum[j]! - expected) < 1e-6, `coordinate ${j}`)
      }
    } finally {
      await swarm.stop()
    }
  })
})
