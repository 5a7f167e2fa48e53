/**
 * One simulated round, independent of the transport: who the peers are (identities from the
 * seed), who aggregates, the inputs, the graph and threshold, the session config and who drops
 * where — and the report built from what a transport observed. The in-memory swarm and the
 * libp2p swarm both run this same scenario, so their reports can be compared field by field.
 */
import { createEd25519Signer, createHash, randomUnitSignedInto, seededRandom } from './sim-deps.ts'
import type { RandomSource } from './sim-deps.ts'
import {
  Aggregator, Participant, STAGES, chooseGraph, planQuantization, uniformStageTimeouts
} from '../protocol/index.ts'
import type { Ed25519Signer } from '../crypto/index.ts'
import type { AbortReason, Member, ProtocolEvent, RoundResult, SessionConfig, Stage, StageTimeouts } from '../protocol/index.ts'
import { drawDropouts } from './dropout-schedule.ts'
import { aggregatorFor } from '../protocol/ranking.ts'
import type { DropoutSpec } from './dropout-schedule.ts'
import type { PeerLog } from './peer-log.ts'
import type { ProgressSink } from './progress.ts'

export interface SimulationInputs {
  readonly vectors: ReadonlyArray<ArrayLike<number>>
  readonly weights?: readonly number[]
  /** Each peer's DP noise share (src/privacy), added in the ring; with `dpNoise` only. */
  readonly noise?: readonly Int32Array[]
}

export interface SimulationOptions {
  readonly peers: number
  readonly dim: number
  /** SecAgg+ degree; 'complete' for all pairs; undefined: computed from the expected rates. */
  readonly neighbours?: number | 'complete'
  readonly threshold?: number
  /** c: corrupt members tolerated besides the aggregator (default ⌊corruptFraction · n⌋). */
  readonly maxCorrupt?: number
  readonly dropout?: DropoutSpec
  readonly dropAggregator?: boolean
  readonly seed?: string
  readonly inputs?: SimulationInputs
  readonly clip?: number
  /** Expected dropout and corrupt fractions used to pick c, SecAgg+ k and t (default 5% each). */
  readonly expectedDropout?: number
  readonly corruptFraction?: number
  /** One-way link latency in virtual ms: base + uniform jitter, per message. */
  readonly latencyMs?: number
  readonly jitterMs?: number
  /** Aggregator deadline per stage in virtual ms (default 10,000 each). */
  readonly stageTimeouts?: StageTimeouts
  readonly emitSum?: boolean
  /** Distributed DP noise of standard deviation σ·C on the sum, carried by t = threshold survivors. */
  readonly dpNoise?: { readonly stddev: number }
}

export interface SimulationReport {
  peers: number
  dim: number
  threshold: number
  maxCorrupt: number
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
  /** memory: stageMs in virtual ms; libp2p: wall-clock ms over real connections. */
  transport: Transport
  wallMs: number
  /**
   * memory only: real CPU milliseconds spent inside each role's state machine (the time one
   * member's own machine would spend), so aggregator and participant costs can be told apart.
   */
  cpuMs?: { aggregator: number, participantMean: number, participantMax: number, participantTotal: number }
}

export type Transport = 'memory' | 'libp2p'

/**
 * Watches a run without changing it (the report is the same with or without): each peer's
 * log records, and for tests that must know the secrets of a real run, each peer's random
 * source (wrapped, e.g. to record what the machines draw) and every message it hands out.
 */
export interface SimulationObserver {
  readonly log?: PeerLog
  readonly random?: (peer: number, rng: RandomSource) => RandomSource
  /** A message from peer `from`'s machine to `to`, before the dropout schedule applies. */
  readonly sent?: (from: number, to: string, data: Uint8Array) => void
  /** Told each stage and how many peers have finished it (progress.ts). */
  readonly progress?: ProgressSink
  /**
   * Each call the simulator makes on the aggregator's machine, in order, before it is made: a
   * fresh aggregator given the same calls goes through the same states (it draws no
   * randomness), so a bench can time the aggregator's own work away from the members'.
   */
  readonly aggregatorCall?: (call: AggregatorCall) => void
}

/** One step of the aggregator's machine, as the simulator made it. */
export type AggregatorCall =
  | { readonly kind: 'start', readonly now: number }
  | { readonly kind: 'receive', readonly from: string, readonly data: Uint8Array, readonly now: number }
  | { readonly kind: 'timeout', readonly now: number }

/** What the report does not show but tests check: every share kind released per owner. */
export interface SimulationTrace {
  readonly releasedKinds: ReadonlyMap<number, ReadonlySet<'self-mask' | 'masking'>>
  readonly events: ReadonlyArray<{ peer: number, role: 'participant' | 'aggregator', event: ProtocolEvent }>
}

/** The stage at which each message kind is sent: a peer dropped at stage S sends none from S on. */
export const SENT_AT_STAGE: Record<string, Stage> = {
  'advertise-keys': 'advertise', 'share-keys': 'share', 'masked-input': 'masked', 'consistency-signature': 'consistency', 'unmask-shares': 'unmask',
  'key-list': 'advertise', 'share-inbox': 'share', 'survivor-list': 'masked', 'unmask-request': 'consistency', abort: 'advertise'
}

export function peerName (i: number): string {
  return `peer-${String(i).padStart(4, '0')}`
}

/**
 * `peers` seeded inputs from one source, all held at once (the in-process benches and tests).
 * A simulated input is uniform in [−1, 1) on a grid of 2^−22, exact in float32, as a model's
 * weights and updates are held (tfjs trains in float32): randomUnitSignedInto.
 */
export function randomInputs (rng: RandomSource, peers: number, dim: number): SimulationInputs {
  return { vectors: Array.from({ length: peers }, () => randomUnitSignedInto(rng, new Float32Array(dim))) }
}

/**
 * Member `id`'s simulated input comes from its own stream, so any thread can draw any member's
 * vector when it needs it: a run holds no member's vector longer than one call, instead of all
 * n (68 MB of fresh pages at n = 17, M = 10^6, ~17,000 page faults).
 */
function inputRandom (seed: string, id: string): RandomSource {
  return seededRandom(`input/${seed}/${id}`)
}

/**
 * The graph, c and t of a simulated session: c from --max-corrupt or the corrupt fraction;
 * SecAgg+ k from the parameter finder for n ≥ 10 unless given; t the smallest safe against c
 * unless given (an unsafe explicit t is refused when the session opens).
 */
export function resolveGraph (options: SimulationOptions): { neighbours: number | 'complete', threshold: number, maxCorrupt: number } {
  const n = options.peers
  const maxCorrupt = options.maxCorrupt ?? Math.floor((options.corruptFraction ?? 0.05) * n)
  const choice = chooseGraph({ peers: n, maxCorrupt, neighbours: options.neighbours ?? (n < 10 ? 'complete' : 'auto'), dropoutRate: options.expectedDropout })
  return { neighbours: choice.neighbours, threshold: options.threshold ?? choice.threshold, maxCorrupt }
}

/** max |x| over all vectors, without spreading millions of arguments onto the stack. */
function largestMagnitude (vectors: ReadonlyArray<ArrayLike<number>>): number {
  let max = 0
  for (const v of vectors) for (let j = 0; j < v.length; j++) max = Math.max(max, Math.abs(v[j]!))
  return max
}

export interface Scenario {
  readonly seed: string
  readonly peers: number
  readonly dim: number
  readonly ids: readonly string[]
  /** Ed25519 identity seeds (32 bytes each): the signing keys, and the libp2p keys. */
  readonly identitySeeds: readonly Uint8Array[]
  readonly signers: readonly Ed25519Signer[]
  readonly aggregatorIndex: number
  readonly weights: readonly number[]
  readonly clip: number
  readonly neighbours: number | 'complete'
  readonly threshold: number
  readonly maxCorrupt: number
  readonly config: SessionConfig
  /** peer index -> the stage it drops at. */
  readonly dropouts: ReadonlyMap<number, Stage>
  readonly indexOf: ReadonlyMap<string, number>
  /** Whether `peer`, sending a message of `kind`, has dropped by then. */
  isDropping (peer: number, kind: string): boolean
  participant (peer: number, rng?: RandomSource): Participant
  aggregator (): Aggregator
  participantRandom (peer: number): RandomSource
  /**
   * Member `peer`'s input: the given vector, or its seeded draw written into one buffer the
   * scenario reuses — valid until the next call, so use it (setInput copies) before asking again.
   */
  inputOf (peer: number): ArrayLike<number>
  /** Member `peer`'s DP noise share, when the given inputs carry them. */
  noiseOf (peer: number): Int32Array | undefined
}

/**
 * What prepareScenario takes from the run besides its options: the given inputs, if any, and
 * who drops where. A worker of the parallel simulator (parallel-swarm.ts) receives these from
 * the main thread — given inputs in shared memory; drawn inputs it draws itself, per member.
 */
export interface ScenarioDraws {
  readonly inputs?: SimulationInputs
  readonly dropouts: ReadonlyMap<number, Stage>
}

function consortiumOf (seed: string): Buffer {
  return createHash('sha256').update(`simulated-consortium/${seed}`).digest()
}

/** The node's own rendezvous ranking (round/ranking.ts): attempt 0 of round 0. */
function aggregatorIndexOf (consortium: Uint8Array, ids: readonly string[]): number {
  return ids.indexOf(aggregatorFor(consortium, 0, 0, ids))
}

/** The given inputs and the seeded dropouts: what prepareScenario uses unless it is handed them (a worker is). */
export function drawScenario (options: SimulationOptions): ScenarioDraws {
  const seed = options.seed ?? '1'
  const ids = Array.from({ length: options.peers }, (_, i) => peerName(i))
  const aggregatorIndex = aggregatorIndexOf(consortiumOf(seed), ids)
  const dropouts = drawDropouts(options.dropout ?? new Map(), options.peers, aggregatorIndex, options.dropAggregator ?? false, seededRandom(`simulate/${seed}`))
  return { ...(options.inputs !== undefined ? { inputs: options.inputs } : {}), dropouts }
}

export function prepareScenario (options: SimulationOptions, defaultStageTimeoutMs = 10_000, draws?: ScenarioDraws): Scenario {
  const seed = options.seed ?? '1'
  const n = options.peers
  const dim = options.dim
  const ids = Array.from({ length: n }, (_, i) => peerName(i))
  const identitySeeds = ids.map((id) => seededRandom(`identity/${seed}/${id}`)(32))
  const signers = identitySeeds.map((s) => createEd25519Signer(s))
  const members: Member[] = ids.map((id, i) => ({ id, signingKey: signers[i]!.publicKey }))
  const consortium = consortiumOf(seed)
  const aggregatorIndex = aggregatorIndexOf(consortium, ids)
  const given = draws?.inputs ?? options.inputs
  const weights = given?.weights ?? new Array<number>(n).fill(1)
  // Drawn inputs lie in [−1, 1), so the scan would give 1: skipped (17 M values at M = 10^6).
  const clip = options.clip ?? (given === undefined ? 1 : Math.max(1, largestMagnitude(given.vectors)))
  const { neighbours, threshold, maxCorrupt } = resolveGraph(options)
  const noise = options.dpNoise === undefined ? {} : { noise: { stddev: options.dpNoise.stddev, survivors: threshold, coordinates: dim } }
  const quantization = planQuantization({ clip, maxWeight: Math.max(...weights), members: n, ...noise })
  const config: SessionConfig = {
    consortium,
    round: 0,
    aggregator: ids[aggregatorIndex]!,
    members, threshold, maxCorrupt, neighbours, vectorLength: dim, quantization,
    stageTimeouts: options.stageTimeouts ?? uniformStageTimeouts(defaultStageTimeoutMs)
  }
  const dropouts = draws?.dropouts ?? drawScenario(options).dropouts
  const participantRandom = (peer: number): RandomSource => seededRandom(`participant/${seed}/${ids[peer]!}`)
  let scratch: Float32Array | undefined
  return {
    seed, peers: n, dim, ids, identitySeeds, signers, aggregatorIndex, weights, clip, neighbours, threshold, maxCorrupt, config, dropouts,
    indexOf: new Map(ids.map((id, i) => [id, i])),
    isDropping: (peer, kind) => {
      const at = dropouts.get(peer)
      return at !== undefined && STAGES.indexOf(SENT_AT_STAGE[kind] ?? 'advertise') >= STAGES.indexOf(at)
    },
    participant: (peer, rng = participantRandom(peer)) => new Participant(config, { id: ids[peer]!, signer: signers[peer]! }, rng),
    aggregator: () => new Aggregator(config, { id: ids[aggregatorIndex]!, signer: signers[aggregatorIndex]! }),
    participantRandom,
    inputOf: (peer) => given?.vectors[peer] ?? randomUnitSignedInto(inputRandom(seed, ids[peer]!), scratch ??= new Float32Array(dim)),
    noiseOf: (peer) => given?.noise?.[peer]
  }
}

/** What a transport saw while running the scenario. */
export interface Observations {
  readonly events: ReadonlyArray<{ peer: number, role: 'participant' | 'aggregator', event: ProtocolEvent }>
  /** Peers that went silent (dropped by the schedule). */
  readonly offline: ReadonlySet<number>
  readonly bytesSent: readonly number[]
  readonly clippedCoordinates: number
  readonly wallMs: number
  readonly cpuMs?: SimulationReport['cpuMs']
}

export function buildReport (s: Scenario, seen: Observations, emitSum: boolean, transport: Transport): SimulationReport {
  const { events, offline } = seen
  const stageStart = new Map<Stage, number>()
  const stageMs: Partial<Record<Stage, number>> = {}
  let aggregatorAbort: AbortReason | null = null
  let result: RoundResult | undefined
  let rejected = 0
  for (const { role, event } of events) {
    if (event.type === 'rejected') rejected++
    if (role !== 'aggregator') continue
    if (event.type === 'stage') {
      const prev = [...stageStart.keys()].at(-1)
      if (prev !== undefined) stageMs[prev] = event.at - stageStart.get(prev)!
      if (event.stage !== 'done' && event.stage !== 'aborted') stageStart.set(event.stage, event.at)
    }
    if (event.type === 'aborted') aggregatorAbort = event.reason
    if (event.type === 'result') result = event.result
  }
  const participantAborts: Record<string, AbortReason> = {}
  for (const e of events) if (e.role === 'participant' && e.event.type === 'aborted' && !offline.has(e.peer)) participantAborts[s.ids[e.peer]!] = e.event.reason
  const droppedAt: Partial<Record<Stage, number[]>> = {}
  for (const [peer, stage] of [...s.dropouts].sort((a, b) => a[0] - b[0])) (droppedAt[stage] ??= []).push(peer)
  let maxAbsError: number | null = null
  let included: number[] = []
  if (result !== undefined) {
    included = result.included.map((id) => s.indexOf.get(id)!)
    const plain = new Float64Array(s.dim)
    for (const i of included) {
      const v = s.inputOf(i)
      for (let j = 0; j < s.dim; j++) plain[j]! += s.weights[i]! * Math.min(s.clip, Math.max(-s.clip, v[j]!))
    }
    maxAbsError = 0
    for (let j = 0; j < s.dim; j++) maxAbsError = Math.max(maxAbsError, Math.abs(plain[j]! - result.sum[j]!))
  }
  const firstParticipantAbort = Object.values(participantAborts)[0] ?? null
  return {
    peers: s.peers, dim: s.dim, threshold: s.threshold, maxCorrupt: s.maxCorrupt, neighbours: s.neighbours, aggregator: s.aggregatorIndex, droppedAt, included,
    aborted: result === undefined,
    reason: result === undefined ? (aggregatorAbort ?? firstParticipantAbort ?? 'timeout') : null,
    weightSum: result?.weightSum ?? null,
    ...(emitSum && result !== undefined ? { sum: Array.from(result.sum) } : {}),
    maxAbsError, stageMs, bytesSent: [...seen.bytesSent], participantAborts, rejectedMessages: rejected,
    clippedCoordinates: seen.clippedCoordinates,
    seed: s.seed, transport, wallMs: seen.wallMs,
    ...(seen.cpuMs !== undefined ? { cpuMs: seen.cpuMs } : {})
  }
}
