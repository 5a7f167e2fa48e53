/** Builds a small session and drives its machines by hand (no simulator), for state tests. */
import { createEd25519Signer, seededRandom } from '../../src/crypto/index.ts'
import type { Ed25519Signer } from '../../src/crypto/index.ts'
import { Aggregator, Participant, decodeMessage, defaultMaxCorrupt, minimumSafeThreshold, planQuantization, uniformStageTimeouts } from '../../src/protocol/index.ts'
import type { Message, Outbound, ProtocolEvent, SessionConfig } from '../../src/protocol/index.ts'
import { pumpStar } from '../../src/sim/star-pump.ts'

export interface Harness {
  config: SessionConfig
  ids: string[]
  signers: Ed25519Signer[]
  participants: Participant[]
  aggregator: Aggregator
}

/**
 * A session among n members p00…, aggregated by p00. Defaults: the complete graph,
 * c = ⌊(n − 1)/3⌋ and the smallest threshold safe against it (override either).
 */
export function makeSession (n: number, overrides: Partial<SessionConfig> = {}, seed = 'harness'): Harness {
  const ids = Array.from({ length: n }, (_, i) => `p${String(i).padStart(2, '0')}`)
  const signers = ids.map((id) => createEd25519Signer(seededRandom(`${seed}/id/${id}`)(32)))
  const maxCorrupt = overrides.maxCorrupt ?? defaultMaxCorrupt(n)
  const neighbours = overrides.neighbours ?? 'complete'
  const config: SessionConfig = {
    consortium: new Uint8Array(32).fill(1),
    round: 3,
    aggregator: ids[0]!,
    members: ids.map((id, i) => ({ id, signingKey: signers[i]!.publicKey })),
    threshold: minimumSafeThreshold({ peers: n, maxCorrupt, neighbours }),
    maxCorrupt,
    neighbours,
    vectorLength: 4,
    quantization: planQuantization({ clip: 1, maxWeight: 10, members: n }),
    stageTimeouts: uniformStageTimeouts(1000),
    ...overrides
  }
  const participants = ids.map((id, i) => new Participant(config, { id, signer: signers[i]! }, seededRandom(`${seed}/p/${id}`)))
  const aggregator = new Aggregator(config, { id: config.aggregator, signer: signers[ids.indexOf(config.aggregator)]! })
  return { config, ids, signers, participants, aggregator }
}

/** Decodes a message of this session (a test that cannot decode one fails loudly). */
export function decoderFor (h: Harness): (data: Uint8Array) => Message {
  return (data) => {
    const r = decodeMessage(data, { maxPeers: h.ids.length, vectorWords: h.config.vectorLength + 1 })
    if (!r.ok) throw new Error(r.detail)
    return r.message
  }
}

export function drainOutbound (m: { pollOutbound(): Outbound | undefined }): Outbound[] {
  const out: Outbound[] = []
  for (let o = m.pollOutbound(); o !== undefined; o = m.pollOutbound()) out.push(o)
  return out
}

export function drainEvents (m: { pollEvent(): ProtocolEvent | undefined }): ProtocolEvent[] {
  const out: ProtocolEvent[] = []
  for (let e = m.pollEvent(); e !== undefined; e = m.pollEvent()) out.push(e)
  return out
}

export interface DriveOptions {
  /** Rewrite (or drop, by returning undefined) an aggregator -> participant message. */
  readonly down?: (to: string, data: Uint8Array) => Uint8Array | undefined
  /** Rewrite (or drop) a participant -> aggregator message. */
  readonly up?: (from: string, data: Uint8Array) => Uint8Array | undefined
  /** Members that never start. */
  readonly skip?: ReadonlySet<string>
  /** Each member's input and weight (default: the same small vector, weight 2). */
  readonly input?: (i: number) => { x: number[], w: number }
}

/** Runs the message flow synchronously on a virtual clock until every machine is quiet. */
export function drive (h: Harness, options: DriveOptions = {}): void {
  const { aggregator, participants, ids } = h
  const skip = options.skip ?? new Set()
  aggregator.start(0)
  participants.forEach((p, i) => {
    if (skip.has(ids[i]!)) return
    const { x, w } = options.input?.(i) ?? { x: [0.5, -0.25, 1, 0], w: 2 }
    p.setInput(x, w, 0)
    p.start(0)
  })
  // Stragglers (skipped peers) are closed by the aggregator's deadlines.
  pumpStar(h, {
    ...(options.up !== undefined ? { up: options.up } : {}),
    ...(options.down !== undefined ? { down: options.down } : {})
  })
}

/**
 * Runs the honest message flow synchronously. `tamper` may rewrite (or drop, by returning
 * undefined) any aggregator -> participant message.
 */
export function runHonest (h: Harness, tamper?: (to: string, data: Uint8Array) => Uint8Array | undefined, skip: ReadonlySet<string> = new Set()): void {
  drive(h, { ...(tamper ? { down: tamper } : {}), skip })
}
