/**
 * What every party of one session must agree on, validated once. The pre-session id binds
 * the consortium, round, aggregator, parameters and member identities; the session id adds
 * the Merkle root of every advertised key (computed once U1 is known). Both go into every
 * signature, AEAD associated data and KDF info string (docs/PROTOCOL.md, "Session binding").
 * The SecAgg+ graph is drawn from the pre-session id, fixed before any key is advertised, so
 * the aggregator cannot grind keys to choose a victim's neighbours.
 */
import { computeSessionId } from '../crypto/index.ts'
import { ProtocolConfigError } from './errors.ts'
import { completeGraph, hararyGraph } from './neighbour-graph.ts'
import type { NeighbourGraph } from './neighbour-graph.ts'
import type { QuantizationPlan } from './quantize.ts'
import { assertSafeThreshold, consistencyQuorum, minimumSurvivors } from './threshold.ts'

export const PROTOCOL_VERSION = 3
export const MAX_PEER_ID_LENGTH = 256

export interface Member {
  readonly id: string
  /** Ed25519 identity public key (the libp2p identity). */
  readonly signingKey: Uint8Array
}

export interface SessionConfig {
  /** Hash of the consortium file (32 bytes). */
  readonly consortium: Uint8Array
  readonly round: number
  readonly aggregator: string
  readonly members: readonly Member[]
  readonly threshold: number
  /**
   * c: corrupt members tolerated besides the aggregator. The threshold must be safe against
   * it (threshold.ts) and no sum over fewer than c + 3 members is unmasked.
   */
  readonly maxCorrupt: number
  /** SecAgg+ degree k (even), or 'complete' for the original all-pairs protocol. */
  readonly neighbours: number | 'complete'
  /** Number of float coordinates M (the wire vector has M + 1 words). */
  readonly vectorLength: number
  readonly quantization: QuantizationPlan
  /**
   * How long the aggregator collects messages in each stage, in the driver's time unit (ms).
   * A participant waits twice its stage's value for the aggregator's answer (it may itself
   * wait a whole stage for stragglers). `masked` also covers local training, so training
   * tasks set it much longer than the key-exchange stages.
   */
  readonly stageTimeouts: StageTimeouts
}

/** One deadline per protocol stage (Bonawitz et al. 2017, Fig. 4 rounds 0–4). */
export interface StageTimeouts {
  readonly advertise: number
  readonly share: number
  readonly masked: number
  readonly consistency: number
  readonly unmask: number
}

export const TIMED_STAGES = ['advertise', 'share', 'masked', 'consistency', 'unmask'] as const

/** The same deadline for every stage. */
export function uniformStageTimeouts (ms: number): StageTimeouts {
  return { advertise: ms, share: ms, masked: ms, consistency: ms, unmask: ms }
}

/** The longest a session can take when every stage runs to its deadline. */
export function sessionDuration (t: StageTimeouts): number {
  return TIMED_STAGES.reduce((sum, s) => sum + t[s], 0)
}

/** A validated config plus the derived lookups both roles need. */
export interface Session {
  readonly config: SessionConfig
  readonly preSessionId: Uint8Array
  readonly memberIds: readonly string[]
  readonly memberIndex: ReadonlyMap<string, number>
  readonly signingKeys: ReadonlyMap<string, Uint8Array>
  /** Who shares with whom, fixed by the pre-session id. */
  readonly graph: NeighbourGraph
  /** The fewest members a revealed sum may include. */
  readonly minSurvivors: number
  /** Consistency signatures over one U3 needed before any share is revealed. */
  readonly consistencyQuorum: number
}

/**
 * Sessions already opened, by config object, so every machine of one session (in the
 * simulator, thousands in one process) shares one validated Session instead of rehashing the
 * member list each. The Session holds a frozen snapshot of the config it validated, and the
 * machines read every parameter from that snapshot, never from the caller's object: a config
 * changed after opening can never run unvalidated. A change to any scalar parameter (or a new
 * members array) is noticed and validated afresh; a member entry replaced inside the same
 * array is not noticed, but the session keeps using the members it validated.
 */
const opened = new WeakMap<SessionConfig, { session: Session, members: readonly Member[], memberCount: number }>()

export function openSession (config: SessionConfig): Session {
  const known = opened.get(config)
  if (known !== undefined && known.members === config.members && known.memberCount === config.members.length && sameScalars(known.session.config, config)) {
    return known.session
  }
  const session = validateAndDerive(snapshot(config))
  opened.set(config, { session, members: config.members, memberCount: config.members.length })
  return session
}

function snapshot (config: SessionConfig): SessionConfig {
  if (!Array.isArray(config.members)) throw new ProtocolConfigError('members must be an array')
  return Object.freeze({
    ...config,
    consortium: config.consortium instanceof Uint8Array ? config.consortium.slice() : config.consortium,
    members: Object.freeze(config.members.map((m) => Object.freeze({ id: m.id, signingKey: m.signingKey instanceof Uint8Array ? m.signingKey.slice() : m.signingKey }))),
    // Left as given when not an object: validation names the problem.
    quantization: typeof config.quantization === 'object' && config.quantization !== null
      ? Object.freeze({ ...config.quantization, ...(typeof config.quantization.noise === 'object' && config.quantization.noise !== null ? { noise: Object.freeze({ ...config.quantization.noise }) } : {}) })
      : config.quantization,
    stageTimeouts: typeof config.stageTimeouts === 'object' && config.stageTimeouts !== null ? Object.freeze({ ...config.stageTimeouts }) : config.stageTimeouts
  })
}

function sameScalars (a: SessionConfig, b: SessionConfig): boolean {
  const q = (x: QuantizationPlan): string => `${x.clip}/${x.maxWeight}/${x.members}/${x.scale}/${x.sumError}/${x.noise?.shareStddev}/${x.noise?.survivors}/${x.noise?.tailFactor}/${x.noise?.l2Clip}/${x.noise?.coordinates}`
  return a.round === b.round && a.aggregator === b.aggregator && a.threshold === b.threshold && a.maxCorrupt === b.maxCorrupt &&
    a.neighbours === b.neighbours && a.vectorLength === b.vectorLength && b.consortium instanceof Uint8Array &&
    a.consortium.length === b.consortium.length && a.consortium.every((x, i) => x === b.consortium[i]) &&
    b.quantization !== undefined && q(a.quantization) === q(b.quantization) && b.stageTimeouts !== undefined &&
    TIMED_STAGES.every((stage) => a.stageTimeouts[stage] === b.stageTimeouts[stage])
}

function validateAndDerive (config: SessionConfig): Session {
  const { members, threshold, neighbours, vectorLength, round } = config
  if (!(config.consortium instanceof Uint8Array) || config.consortium.length !== 32) throw new ProtocolConfigError('consortium must be the 32-byte hash of the consortium file')
  if (!Number.isSafeInteger(round) || round < 0) throw new ProtocolConfigError(`round must be a non-negative integer, got ${round}`)
  if (members.length < 3 || members.length > 65_535) throw new ProtocolConfigError(`a session needs 3 to 65,535 members, got ${members.length}`)
  const memberIds = members.map((m) => m.id)
  const sorted = [...memberIds].sort()
  for (let i = 0; i < sorted.length; i++) {
    const id = sorted[i]!
    if (id.length === 0 || id.length > MAX_PEER_ID_LENGTH) throw new ProtocolConfigError(`member id must be 1..${MAX_PEER_ID_LENGTH} characters, got '${id}'`)
    if (i > 0 && id === sorted[i - 1]) throw new ProtocolConfigError(`member ${id} is listed twice`)
  }
  const keys = new Set<string>()
  for (const m of members) {
    if (!(m.signingKey instanceof Uint8Array) || m.signingKey.length !== 32) throw new ProtocolConfigError(`member ${m.id}: signingKey must be a 32-byte Ed25519 public key`)
    // One identity under two ids would count twice toward every threshold and quorum.
    const hex = Buffer.from(m.signingKey).toString('hex')
    if (keys.has(hex)) throw new ProtocolConfigError(`member ${m.id} has the same signing key as another member`)
    keys.add(hex)
  }
  if (!memberIds.includes(config.aggregator)) throw new ProtocolConfigError(`aggregator ${config.aggregator} is not a member`)
  if (neighbours !== 'complete' && (!Number.isInteger(neighbours) || neighbours < 2 || neighbours % 2 !== 0)) {
    throw new ProtocolConfigError(`neighbours k must be an even integer ≥ 2 or 'complete', got ${neighbours}`)
  }
  assertSafeThreshold({ peers: members.length, maxCorrupt: config.maxCorrupt, neighbours, threshold })
  if (!Number.isInteger(vectorLength) || vectorLength < 1 || vectorLength > 256 * 1024 * 1024) throw new ProtocolConfigError(`vectorLength must be an integer in [1, 2^28], got ${vectorLength}`)
  if (config.quantization.members < members.length) throw new ProtocolConfigError('the quantization plan was made for fewer members than the session has: the sum could overflow')
  for (const stage of TIMED_STAGES) {
    const ms = config.stageTimeouts?.[stage]
    if (typeof ms !== 'number' || !(ms > 0) || !Number.isFinite(ms)) throw new ProtocolConfigError(`stageTimeouts.${stage} must be a positive number, got ${ms}`)
  }
  const q = config.quantization
  const preSessionId = computeSessionId({
    parameters: ['pre-session', PROTOCOL_VERSION, config.consortium, round, config.aggregator, threshold, config.maxCorrupt,
      neighbours === 'complete' ? 'complete' : neighbours, vectorLength, String(q.scale), String(q.clip), q.maxWeight],
    parties: members.map((m) => ({ id: m.id, publicKeys: [m.signingKey] }))
  })
  return {
    config,
    preSessionId,
    memberIds: sorted,
    memberIndex: new Map(sorted.map((id, i) => [id, i + 1])),
    signingKeys: new Map(members.map((m) => [m.id, m.signingKey])),
    graph: neighbours === 'complete' ? completeGraph(sorted) : hararyGraph(sorted, neighbours, preSessionId),
    minSurvivors: minimumSurvivors(config.maxCorrupt),
    consistencyQuorum: consistencyQuorum(members.length, config.maxCorrupt, threshold)
  }
}

/** The ids in sorted order: the list itself when it already is (the wire sends U3 sorted), else a sorted copy. */
export function sortedIds (ids: readonly string[]): readonly string[] {
  for (let i = 1; i < ids.length; i++) if (!(ids[i - 1]! < ids[i]!)) return [...ids].sort()
  return ids
}

/** sign(u, v) of Bonawitz et al.: +1 if u < v in the total order of ids, else −1. */
export function pairSign (u: string, v: string): 1 | -1 {
  return u < v ? 1 : -1
}
