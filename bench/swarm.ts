/**
 * Secure round vs plain round over the same libp2p swarm (issue 4's benchmark): N = 10 hosts
 * on 127.0.0.1 (TCP + Noise + Yamux), M = 1,000,000. The plain round sends each member's
 * quantized vector unmasked to the same aggregator over the same connections; the secure
 * round adds key exchange, Shamir shares, masking, consistency signatures and unmasking.
 * Goal: secure ≤ 1.3× plain wall time. Both run in this one process, so every member's
 * work is serialized on one thread — in a real consortium members mask in parallel, so
 * the ratio measured here is an upper bound.
 *
 * A node starts a round's session while it trains (the coordinator's inputPending): keys and
 * shares are exchanged before its update exists, and the round waits on secure aggregation
 * only from the moment the inputs are ready. The third figure times that part — the same
 * round with the inputs given once every member holds its shares — against the plain round.
 */
import { LoopbackSwarm, messageLimitFor, runPlainRound, runSecureRound } from '../src/node/sim/libp2p-swarm.ts'
import { seededRandom } from '../src/crypto/index.ts'
import { prepareScenario, randomInputs } from '../src/sim/scenario.ts'
import { fmt, printSection, verdict } from './harness.ts'

const PEERS = 10
const DIM = 1_000_000
const RUNS = 5

export async function benchSwarm (): Promise<void> {
  // Inputs drawn before the clock (a scenario draws each member's input when asked, ~4 ms at
  // this size): both rounds start from inputs that exist, as after local training.
  const inputs = randomInputs(seededRandom('bench-swarm-inputs'), PEERS, DIM)
  const s = prepareScenario({ peers: PEERS, dim: DIM, neighbours: 'complete', seed: 'bench-swarm', inputs }, 60_000)
  const swarm = await LoopbackSwarm.start(s.identitySeeds, messageLimitFor(DIM, PEERS))
  try {
    const signal = AbortSignal.timeout(600_000)
    await swarm.connectTo(s.aggregatorIndex, signal)
    const stages: Array<Record<string, number>> = []
    const secureRound = async (): Promise<number> => {
      const t = performance.now()
      const seen = await runSecureRound(swarm, s, signal)
      const done = seen.events.find((e) => e.role === 'aggregator' && e.event.type === 'result')
      if (done === undefined) throw new Error('the secure bench round produced no result')
      const at: Record<string, number> = {}
      for (const e of seen.events) if (e.role === 'aggregator' && e.event.type === 'stage') at[e.event.stage] = e.event.at
      stages.push({ keys: at.masked! - at.advertise!, masked: at.consistency! - at.masked!, rest: at.done! - at.consistency! })
      return performance.now() - t
    }
    const plainRound = async (): Promise<number> => {
      const t = performance.now()
      const sum = await runPlainRound(swarm, s, signal)
      if (sum.weightSum !== PEERS) throw new Error('the plain bench round lost a member')
      return performance.now() - t
    }
    const afterKeys = async (): Promise<number> => {
      const seen = await runSecureRound(swarm, s, signal, {}, { inputsAfterKeys: true })
      const done = seen.events.find((e) => e.role === 'aggregator' && e.event.type === 'result')?.event
      if (done?.type !== 'result' || seen.inputsAt === undefined) throw new Error('the inputs-after-keys bench round produced no result')
      return done.at - seen.inputsAt
    }
    await plainRound() // warm-up: JIT, yamux windows, first streams
    await secureRound()
    await afterKeys()
    const secure: number[] = []
    const plain: number[] = []
    const fromInputs: number[] = []
    for (let r = 0; r < RUNS; r++) { plain.push(await plainRound()); secure.push(await secureRound()); fromInputs.push(await afterKeys()) }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
    const p = median(plain)
    const q = median(secure)
    const stage = (k: string): number => median(stages.slice(1).map((x) => x[k]!))
    printSection(`swarm: one round over libp2p on loopback, N = ${PEERS}, M = ${DIM.toLocaleString('en')} (median of ${RUNS})`, [
      { name: 'plain round (unmasked vectors to the aggregator)', value: `${fmt(p)} ms`, note: `${fmt(4 * (DIM + 1) * (PEERS - 1) / 1e6 / (p / 1000), 0)} MB/s into the aggregator` },
      { name: 'secure round (SecAgg, complete graph, t = 6)', value: `${fmt(q)} ms`, note: `${fmt(q / p, 2)}× plain, goal ≤ 1.3×: ${verdict(q / p <= 1.3)}; all ${PEERS} members share this one thread` },
      { name: '  of which key exchange (advertise + share)', value: `${fmt(stage('keys'))} ms` },
      { name: '  of which masking + sending masked vectors', value: `${fmt(stage('masked'))} ms`, note: `${PEERS} × (${PEERS} AES-CTR streams of ${fmt(4 * (DIM + 1) / 1e6, 0)} MB) on one thread, plus the plain round's transfer` },
      { name: '  of which consistency + unmasking', value: `${fmt(stage('rest'))} ms` },
      {
        name: 'secure round from ready inputs to the sum',
        value: `${fmt(median(fromInputs))} ms`,
        note: `${fmt(median(fromInputs) / p, 2)}× plain, goal ≤ 1.3×: ${verdict(median(fromInputs) / p <= 1.3)}; keys exchanged while members train, as a node does`
      }
    ])
  } finally {
    await swarm.stop()
  }
}
