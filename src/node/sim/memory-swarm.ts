/**
 * The in-memory swarm: N participants (one of which also runs the aggregator) over simulated
 * links with a virtual clock, per-link latency and a dropout schedule, all drawn from one
 * seed, so a run is exactly reproducible. It drives the same state machines as the libp2p node.
 */
import { createEd25519Signer, createHash, encodeFields, randomInt, seededRandom } from './sim-deps.ts'
import type { RandomSource } from './sim-deps.ts'
import {
  Aggregator, Participant, STAGES, completeGraphThreshold, decodeMessage, findGraphParameters, planQuantization, uniformStageTimeouts
} from '../../protocol/index.ts'
import type { Member, ProtocolEvent, SansIoMachine, SessionConfig, Stage, StageTimeouts, AbortReason } from '../../protocol/index.ts'
import { EventQueue } from './event-queue.ts'
import { drawDropouts } from './dropout-schedule.ts'
import type { DropoutSpec } from './dropout-schedule.ts'

export interface SimulationInputs {
  readonly vectors: ReadonlyArray<ArrayLike<number>>
  readonly weights?: readonly number[]
}

export interface SimulationOptions {
  readonly peers: number
  readonly dim: number
  /** SecAgg+ degree; 'complete' for all pairs; undefined: computed from the expected rates. */
  readonly neighbours?: number | 'complete'
  readonly threshold?: number
  readonly dropout?: DropoutSpec
  readonly dropAggregator?: boolean
  readonly seed?: string
  readonly inputs?: SimulationInputs
  readonly clip?: number
  /** Expected dropout and corrupt fractions used to pick SecAgg+ k and t (default 5% each). */
  readonly expectedDropout?: number
  readonly corruptFraction?: number
  /** One-way link latency in virtual ms: base + uniform jitter, per message. */
  readonly latencyMs?: number
  readonly jitterMs?: number
  /** Aggregator deadline per stage in virtual ms (default 10,000 each). */
  readonly stageTimeouts?: StageTimeouts
  readonly emitSum?: boolean
}

export interface SimulationReport {
  peers: number
  dim: number
  threshold: number
  neighbours: number | 'complete'
  aggregator: number
  droppedAt: Partial<Record<Stage, number[]>>
  included: number[]
  aborted: boolean
  reason: AbortReason | null
  weightSum: number | null
  sum?: number[]
  maxAbsError: number | null
  stageMs: Partial<Record<Stage, number>>
  bytesSent: number[]
  participantAborts: Record<string, AbortReason>
  rejectedMessages: number
  clippedCoordinates: number
  seed: string
  wallMs: number
}

/** What the report does not show but tests check: every share kind released per owner. */
export interface SimulationTrace {
  readonly releasedKinds: ReadonlyMap<number, ReadonlySet<'self-mask' | 'masking'>>
  readonly events: ReadonlyArray<{ peer: number, role: 'participant' | 'aggregator', event: ProtocolEvent }>
}

const SENT_AT_STAGE: Record<string, Stage> = {
  'advertise-keys': 'advertise', 'share-keys': 'share', 'masked-input': 'masked', 'consistency-signature': 'consistency', 'unmask-shares': 'unmask',
  'key-list': 'advertise', 'share-inbox': 'share', 'survivor-list': 'masked', 'unmask-request': 'consistency', abort: 'advertise'
}

interface QueuedEvent { time: number, seq: number, kind: 'deliver' | 'timeout', target: number, toAggregator: boolean, from: string, data?: Uint8Array }

export function peerName (i: number): string {
  return `peer-${String(i).padStart(4, '0')}`
}

/** Rendezvous ranking: the member with the smallest H(seed ‖ round ‖ id) aggregates. */
function pickAggregator (ids: readonly string[], seed: string): number {
  let best = 0
  let bestHash = ''
  ids.forEach((id, i) => {
    const h = createHash('sha256').update(encodeFields(['aggregator-rank', seed, 0, id])).digest('hex')
    if (i === 0 || h < bestHash) { best = i; bestHash = h }
  })
  return best
}

function randomInputs (rng: RandomSource, peers: number, dim: number): SimulationInputs {
  const vectors = Array.from({ length: peers }, () => Float64Array.from({ length: dim }, () => randomInt(rng, 2_000_001) / 1_000_000 - 1))
  return { vectors }
}

export function resolveGraph (options: SimulationOptions): { neighbours: number | 'complete', threshold: number } {
  const n = options.peers
  let neighbours = options.neighbours
  let threshold = options.threshold
  if (neighbours === undefined) {
    if (n < 10) neighbours = 'complete'
    else {
      try {
        const p = findGraphParameters({ peers: n, dropoutRate: options.expectedDropout ?? 0.05, corruptRate: options.corruptFraction ?? 0.05 })
        neighbours = p.degree
        threshold ??= p.threshold
      } catch (err) {
        if (!(err instanceof Error) || err.name !== 'ProtocolConfigError') throw err
        neighbours = 'complete'
      }
    }
  }
  if (neighbours !== 'complete' && neighbours >= n - 1) neighbours = 'complete'
  threshold ??= neighbours === 'complete' ? completeGraphThreshold(n) : Math.floor(neighbours / 2) + 1
  return { neighbours, threshold }
}

export function runSimulation (options: SimulationOptions): { report: SimulationReport, trace: SimulationTrace } {
  const wallStart = performance.now()
  const seed = options.seed ?? '1'
  const rng = seededRandom(`simulate/${seed}`)
  const n = options.peers
  const dim = options.dim
  const ids = Array.from({ length: n }, (_, i) => peerName(i))
  const signers = ids.map((id) => createEd25519Signer(seededRandom(`identity/${seed}/${id}`)(32)))
  const members: Member[] = ids.map((id, i) => ({ id, signingKey: signers[i]!.publicKey }))
  const aggregatorIndex = pickAggregator(ids, seed)
  const aggregatorId = ids[aggregatorIndex]!
  const inputs = options.inputs ?? randomInputs(rng, n, dim)
  const weights = inputs.weights ?? new Array<number>(n).fill(1)
  const clip = options.clip ?? Math.max(1, ...inputs.vectors.map((v) => Math.max(...Array.from(v, Math.abs))))
  const { neighbours, threshold } = resolveGraph(options)
  const quantization = planQuantization({ clip, maxWeight: Math.max(...weights), members: n })
  const stageTimeouts = options.stageTimeouts ?? uniformStageTimeouts(10_000)
  const config: SessionConfig = {
    consortium: createHash('sha256').update(`simulated-consortium/${seed}`).digest(),
    round: 0, aggregator: aggregatorId, members, threshold, neighbours, vectorLength: dim, quantization, stageTimeouts
  }
  const dropouts = drawDropouts(options.dropout ?? new Map(), n, aggregatorIndex, options.dropAggregator ?? false, rng)
  const participants = ids.map((id, i) => new Participant(config, { id, signer: signers[i]! }, seededRandom(`participant/${seed}/${id}`)))
  const aggregator = new Aggregator(config)
  const latency = options.latencyMs ?? 5
  const jitter = options.jitterMs ?? 5
  const linkRng = seededRandom(`links/${seed}`)
  const queue = new EventQueue<QueuedEvent>()
  let seq = 0
  const scheduledTimeout = new Map<SansIoMachine, number>()
  const bytesSent = new Array<number>(n).fill(0)
  const offline = new Set<number>()
  const releasedKinds = new Map<number, Set<'self-mask' | 'masking'>>()
  const events: Array<{ peer: number, role: 'participant' | 'aggregator', event: ProtocolEvent }> = []
  const stageStart = new Map<Stage, number>()
  const stageMs: Partial<Record<Stage, number>> = {}
  let aggregatorAbort: AbortReason | null = null
  let rejected = 0
  const decodeLimits = { maxPeers: n, vectorWords: dim + 1 }
  const decodedCache = new WeakMap<Uint8Array, ReturnType<typeof decodeMessage>>()

  const indexOf = new Map(ids.map((id, i) => [id, i]))
  const isDropping = (peer: number, kindStage: Stage): boolean => {
    const at = dropouts.get(peer)
    return at !== undefined && STAGES.indexOf(kindStage) >= STAGES.indexOf(at)
  }

  const drain = (machine: SansIoMachine, peer: number, role: 'participant' | 'aggregator', now: number): void => {
    for (let out = machine.pollOutbound(); out !== undefined; out = machine.pollOutbound()) {
      // A broadcast is one encoding sent to many: decode it once to learn its kind.
      let decoded = decodedCache.get(out.data)
      if (decoded === undefined) { decoded = decodeMessage(out.data, decodeLimits); decodedCache.set(out.data, decoded) }
      const kind = decoded.ok ? decoded.message.kind : 'abort'
      if (offline.has(peer) || isDropping(peer, SENT_AT_STAGE[kind]!)) { offline.add(peer); continue }
      if (decoded.ok && decoded.message.kind === 'unmask-shares') {
        for (const s of decoded.message.shares) {
          const owner = indexOf.get(s.owner)!
          if (!releasedKinds.has(owner)) releasedKinds.set(owner, new Set())
          releasedKinds.get(owner)!.add(s.selfMask ? 'self-mask' : 'masking')
        }
      }
      const target = role === 'participant' ? aggregatorIndex : indexOf.get(out.to)!
      const local = target === peer
      if (!local) bytesSent[peer]! += out.data.length
      const delay = local ? 0 : latency + (jitter > 0 ? randomInt(linkRng, jitter * 1000 + 1) / 1000 : 0)
      queue.push({ time: now + delay, seq: seq++, kind: 'deliver', target, toAggregator: role === 'participant', from: ids[peer]!, data: out.data })
    }
    const deadline = machine.pollTimeout()
    if (deadline !== undefined && scheduledTimeout.get(machine) !== deadline) {
      scheduledTimeout.set(machine, deadline)
      queue.push({ time: deadline, seq: seq++, kind: 'timeout', target: peer, toAggregator: role === 'aggregator', from: '' })
    }
    for (let ev = machine.pollEvent(); ev !== undefined; ev = machine.pollEvent()) {
      events.push({ peer, role, event: ev })
      if (ev.type === 'rejected') rejected++
      if (role === 'aggregator' && ev.type === 'stage') {
        const prev = [...stageStart.keys()].at(-1)
        if (prev !== undefined) stageMs[prev] = ev.at - stageStart.get(prev)!
        if (ev.stage !== 'done' && ev.stage !== 'aborted') stageStart.set(ev.stage, ev.at)
      }
      if (role === 'aggregator' && ev.type === 'aborted') aggregatorAbort = ev.reason
    }
  }

  aggregator.start(0)
  drain(aggregator, aggregatorIndex, 'aggregator', 0)
  participants.forEach((p, i) => {
    p.setInput(inputs.vectors[i]!, weights[i]!, 0)
    p.start(0)
    drain(p, i, 'participant', 0)
  })
  for (let ev = queue.pop(); ev !== undefined; ev = queue.pop()) {
    const machine: SansIoMachine = ev.toAggregator ? aggregator : participants[ev.target]!
    if (ev.kind === 'timeout') {
      if (machine.pollTimeout() === ev.time) machine.handleTimeout(ev.time)
    } else {
      if (offline.has(ev.target) && !(ev.toAggregator && ev.target === aggregatorIndex && !offline.has(aggregatorIndex))) continue
      machine.receive(ev.from, ev.data!, ev.time)
    }
    drain(machine, ev.target, ev.toAggregator ? 'aggregator' : 'participant', ev.time)
  }

  const resultEvent = events.find((e) => e.role === 'aggregator' && e.event.type === 'result')?.event
  const result = resultEvent?.type === 'result' ? resultEvent.result : undefined
  const participantAborts: Record<string, AbortReason> = {}
  for (const e of events) if (e.role === 'participant' && e.event.type === 'aborted' && !offline.has(e.peer)) participantAborts[ids[e.peer]!] = e.event.reason
  const droppedAt: Partial<Record<Stage, number[]>> = {}
  for (const [peer, stage] of [...dropouts].sort((a, b) => a[0] - b[0])) (droppedAt[stage] ??= []).push(peer)
  let maxAbsError: number | null = null
  let included: number[] = []
  if (result !== undefined) {
    included = result.included.map((id) => indexOf.get(id)!)
    const plain = new Float64Array(dim)
    for (const i of included) {
      const v = inputs.vectors[i]!
      for (let j = 0; j < dim; j++) plain[j]! += weights[i]! * Math.min(clip, Math.max(-clip, v[j]!))
    }
    maxAbsError = 0
    for (let j = 0; j < dim; j++) maxAbsError = Math.max(maxAbsError, Math.abs(plain[j]! - result.sum[j]!))
  }
  const firstParticipantAbort = Object.values(participantAborts)[0] ?? null
  const report: SimulationReport = {
    peers: n, dim, threshold, neighbours, aggregator: aggregatorIndex, droppedAt, included,
    aborted: result === undefined,
    reason: result === undefined ? (aggregatorAbort ?? firstParticipantAbort ?? 'timeout') : null,
    weightSum: result?.weightSum ?? null,
    ...(options.emitSum === true && result !== undefined ? { sum: Array.from(result.sum) } : {}),
    maxAbsError, stageMs, bytesSent, participantAborts, rejectedMessages: rejected,
    clippedCoordinates: participants.reduce((s, p) => s + p.clippedCoordinates, 0),
    seed, wallMs: Math.round(performance.now() - wallStart)
  }
  return { report, trace: { releasedKinds, events } }
}
