/**
 * Drives one session's real state machines synchronously, for benchmarks that time a single
 * step (a participant's masking, the aggregator's unmasking) without simulator overhead.
 */
import { createEd25519Signer, seededRandom } from '../src/crypto/index.ts'
import { Aggregator, Participant, chooseGraph, defaultMaxCorrupt, planQuantization, uniformStageTimeouts } from '../src/protocol/index.ts'
import type { SessionConfig, Stage } from '../src/protocol/index.ts'

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

/** Delivers participant → aggregator messages. */
export function deliverToAggregator (s: BenchSession): number {
  let moved = 0
  s.participants.forEach((p, i) => {
    for (let o = p.pollOutbound(); o !== undefined; o = p.pollOutbound()) { moved++; s.aggregator.receive(s.ids[i]!, o.data, s.now) }
  })
  return moved
}

/** Delivers aggregator → participant messages. */
export function deliverToParticipants (s: BenchSession): number {
  let moved = 0
  for (let o = s.aggregator.pollOutbound(); o !== undefined; o = s.aggregator.pollOutbound()) {
    moved++
    s.participants[s.ids.indexOf(o.to)]!.receive(s.config.aggregator, o.data, s.now)
  }
  return moved
}

/**
 * Runs the session until the aggregator has entered `stage` and its messages of that stage
 * have reached the participants; closes a stage by its deadline when peers stay silent.
 */
export function runUntilAggregatorStage (s: BenchSession, stage: Stage): void {
  for (let step = 0; step < 100; step++) {
    const moved = deliverToAggregator(s)
    if (s.aggregator.stage === stage) { deliverToParticipants(s); return }
    if (deliverToParticipants(s) + moved === 0) {
      const deadline = s.aggregator.pollTimeout()
      if (deadline === undefined) throw new Error(`session ended in ${s.aggregator.stage} before reaching ${stage}`)
      s.now = deadline
      s.aggregator.handleTimeout(s.now)
      if (s.aggregator.stage === stage) { deliverToParticipants(s); return }
    }
  }
  throw new Error(`session did not reach ${stage}`)
}
