/**
 * Drives one session's real state machines synchronously, for benchmarks that time a single
 * step (a participant's masking, the aggregator's unmasking) without simulator overhead.
 */
import { createEd25519Signer, seededRandom } from '../src/crypto/index.ts'
import { Aggregator, Participant, chooseGraph, defaultMaxCorrupt, drainMachine, planQuantization, uniformStageTimeouts } from '../src/protocol/index.ts'
import type { SessionConfig, Stage } from '../src/protocol/index.ts'
import { pumpStar } from '../src/sim/star-pump.ts'

export interface BenchSession {
  readonly config: SessionConfig
  readonly ids: readonly string[]
  readonly participants: readonly Participant[]
  readonly aggregator: Aggregator
  now: number
}

export function benchSession (peers: number, dim: number, tag: string, neighbours: number | 'complete' = 'complete'): BenchSession {
  const ids = Array.from({ length: peers }, (_, i) => `member-${String(i).padStart(3, '0')}`)
  const signers = ids.map((id) => createEd25519Signer(seededRandom(`bench/${tag}/${id}`)(32)))
  // The complete graph at the default c = ⌊(n − 1)/3⌋; SecAgg+ at 5% corrupt, as in the finder's published points.
  const maxCorrupt = neighbours === 'complete' ? defaultMaxCorrupt(peers) : Math.floor(0.05 * peers)
  const graph = chooseGraph({ peers, maxCorrupt, neighbours })
  const config: SessionConfig = {
    consortium: new Uint8Array(32).fill(7),
    round: 1,
    aggregator: ids[0]!,
    members: ids.map((id, i) => ({ id, signingKey: signers[i]!.publicKey })),
    threshold: graph.threshold,
    maxCorrupt,
    neighbours: graph.neighbours,
    vectorLength: dim,
    quantization: planQuantization({ clip: 1, maxWeight: 1000, members: peers }),
    stageTimeouts: uniformStageTimeouts(1000)
  }
  const participants = ids.map((id, i) => new Participant(config, { id, signer: signers[i]! }, seededRandom(`bench/${tag}/rng/${id}`)))
  const aggregator = new Aggregator(config, { id: ids[0]!, signer: signers[0]! })
  aggregator.start(0)
  for (const p of participants) p.start(0)
  return { config, ids, participants, aggregator, now: 0 }
}

/**
 * Runs the session until the aggregator has entered `stage` and its messages of that stage
 * have reached the participants; closes a stage by its deadline when peers stay silent.
 */
export function runUntilAggregatorStage (s: BenchSession, stage: Stage): void {
  s.now = pumpStar({ ...s, aggregatorId: s.config.aggregator }, { until: () => s.aggregator.stage === stage }, s.now)
  if (s.aggregator.stage !== stage) throw new Error(`session ended in ${s.aggregator.stage} before reaching ${stage}`)
}

/** Delivers the participants' pending messages to the aggregator (the step a benchmark times). */
export function deliverToAggregator (s: BenchSession): number {
  let moved = 0
  s.participants.forEach((p, i) => drainMachine(p, { send: (o) => { moved++; s.aggregator.receive(s.ids[i]!, o.data, s.now) } }))
  return moved
}
